// Redis carries the feed's notices with PUBLISH/SUBSCRIBE where `cluster.redisUrl` is set: for nodes that run Redis
// already, or whose PostgreSQL sits behind a pooler that does not pass LISTEN on (PgBouncer in transaction mode).
// As with NOTIFY a notice reaches every subscriber at once and is never stored: after a reconnect, every topic
// counts as changed. A notice meant for another installation on the same Redis costs a reload, never a wrong state,
// since a reload reads this node's own database.
import { Redis } from 'ioredis';
import { formatNotice, parseNotice, type ChangeTransport } from '../feed.ts';

interface Connection {
  redis: Redis;
  /** The last error ioredis gave (its connect() itself rejects with only "Connection is closed."). */
  lastError(): Error | undefined;
}

export function redisTransport(url: string, channel: string, onError: (error: unknown) => void): ChangeTransport {
  let publisher: Connection | undefined;
  let subscriber: Connection | undefined;

  // ioredis reconnects by itself (and subscribes again). A loss is reported once, not at every attempt after it.
  function connect(onReady?: () => void): Connection {
    const redis = new Redis(url, {
      lazyConnect: true,
      // How an operator tells them apart in CLIENT LIST.
      connectionName: 'tessera-changes',
      // A publish waits for at most one reconnection: a change has committed, and its writer must not hang.
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 2000,
    });
    let last: Error | undefined;
    let up = false;
    let reported = false;
    const report = (error: Error) => {
      if (!reported) onError(error);
      reported = true;
    };
    redis.on('error', (error) => {
      last = error;
      report(error);
    });
    redis.on('close', () => {
      if (up && redis.status !== 'end') report(new Error('the change feed connection to Redis was lost'));
      up = false;
    });
    redis.on('ready', () => {
      up = true;
      reported = false;
      onReady?.();
    });
    return { redis, lastError: () => last };
  }

  return {
    async publish(change) {
      publisher ??= connect();
      if (publisher.redis.status === 'wait') await publisher.redis.connect();
      await publisher.redis.publish(channel, formatNotice(change));
    },
    async start(receiver) {
      let subscribed = false;
      const s = connect(() => {
        if (subscribed) receiver.missed();
      });
      subscriber = s;
      s.redis.on('message', (from: string, message: string) => {
        const change = from === channel ? parseNotice(message) : undefined;
        if (change) receiver.changed(change);
      });
      try {
        await s.redis.connect();
        await s.redis.subscribe(channel);
      } catch (error) {
        s.redis.disconnect();
        subscriber = undefined;
        throw s.lastError() ?? error;
      }
      subscribed = true;
    },
    async stop() {
      for (const c of [publisher, subscriber]) c?.redis.disconnect();
      publisher = undefined;
      subscriber = undefined;
    },
  };
}
