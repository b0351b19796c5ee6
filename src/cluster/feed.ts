// The change feed: after a committed change to something every node keeps in memory (apps, gateways, policies,
// keys), the writer publishes its topic and every process serving the database reloads that topic. The transport
// (PostgreSQL LISTEN/NOTIFY, an SQLite counter table) only carries topic names; the periodic backstop reloads
// everything, so a notice lost (a dropped connection, a writer that died between commit and publish) costs at most
// one backstop period.
import { randomBytes } from 'node:crypto';

export const topics = [
  'oidc-clients',
  'radius-clients',
  'otp-policies',
  'saml-apps',
  'saml-keys',
  'signing-keys',
] as const;
export type Topic = (typeof topics)[number];

/** A topic this version knows; a name from another version or another program is none. */
export const isTopic = (name: string): name is Topic => (topics as readonly string[]).includes(name);

/** A change as it travels: the topic, the process that wrote it (to skip its own echo), when it was published. */
export interface Change {
  topic: Topic;
  origin: string;
  sentAtMs: number;
}

export interface ChangeTransport {
  /** Tells every other process; resolves once the notice is out (sent, or its counter committed). */
  publish(change: Change): Promise<void>;
  /**
   * Starts receiving: `changed` for each notice, `missed` when notices may have been lost (after a reconnect), so
   * every topic is reloaded.
   */
  start(receiver: { changed(change: Change): void; missed(): void }): Promise<void>;
  stop(): Promise<void>;
}

/** A change as a message transports carry (NOTIFY, PUBLISH): `<topic> <origin> <sent at ms>`. */
export const formatNotice = (change: Change): string => `${change.topic} ${change.origin} ${change.sentAtMs}`;

/** A notice as `formatNotice` wrote it; anything else (another version, another program) is not a change. */
export function parseNotice(message: string | undefined): Change | undefined {
  const [topic, origin, sentAt] = (message ?? '').split(' ');
  if (!isTopic(topic) || !origin) return undefined;
  return { topic, origin, sentAtMs: Number(sentAt) || 0 };
}

export interface ChangeFeed {
  /** This process's id in the notices it sends. */
  readonly origin: string;
  /** Reloads here and tells the other processes, at once. Call after the change has committed. */
  publish(...changed: Topic[]): Promise<void>;
  /** What reloads `topic`; a reload asked for while one runs runs again after it (never two at once). */
  on(topic: Topic, reload: () => Promise<void> | void): void;
  /** Starts receiving other processes' notices and the backstop. */
  start(): Promise<void>;
  /** Runs beside each backstop reload (the node's heartbeat). */
  onBackstop(fn: () => Promise<void>): void;
  stop(): Promise<void>;
}

export interface FeedOptions {
  transport: ChangeTransport;
  backstopMs: number;
  now(): number;
  /** A reload that failed (the previous state stays in use until the next notice or the backstop). */
  onError(error: unknown, what: Topic | 'heartbeat'): void;
  /** A notice from another process applied: how long after its publication the reload was done. */
  onApplied?(topic: Topic, delayMs: number): void;
}

export function createChangeFeed(o: FeedOptions): ChangeFeed {
  const origin = randomBytes(9).toString('base64url');
  const reloaders = new Map<Topic, Array<() => Promise<void> | void>>();
  // Per topic: the reload under way, and whether another was asked for meanwhile (its data may postdate that read).
  const running = new Map<Topic, Promise<void>>();
  const again = new Set<Topic>();
  let backstop: NodeJS.Timeout | undefined;
  const besideBackstop: Array<() => Promise<void>> = [];

  async function runOnce(topic: Topic): Promise<void> {
    for (const reload of reloaders.get(topic) ?? []) {
      try {
        await reload();
      } catch (error) {
        o.onError(error, topic);
      }
    }
  }

  function reload(topic: Topic): Promise<void> {
    const under = running.get(topic);
    if (under) {
      again.add(topic);
      return under;
    }
    const run = (async () => {
      try {
        do {
          again.delete(topic);
          await runOnce(topic);
        } while (again.has(topic));
      } finally {
        running.delete(topic);
      }
    })();
    running.set(topic, run);
    return run;
  }

  const reloadAll = () => Promise.all(topics.map(reload)).then(() => {});

  return {
    origin,
    async publish(...changed) {
      const sentAtMs = o.now();
      // The change has committed: a notice that cannot be sent is reported, not thrown (the other nodes see the change
      // at their next backstop reload). The others need not wait for this process's own reload.
      await Promise.all([
        ...changed.map(reload),
        ...changed.map((topic) =>
          o.transport.publish({ topic, origin, sentAtMs }).catch((error) => o.onError(error, topic)),
        ),
      ]);
    },
    onBackstop(fn) {
      besideBackstop.push(fn);
    },
    on(topic, fn) {
      reloaders.set(topic, [...(reloaders.get(topic) ?? []), fn]);
    },
    async start() {
      await o.transport.start({
        changed(change) {
          if (change.origin === origin) return;
          void reload(change.topic).then(() => o.onApplied?.(change.topic, o.now() - change.sentAtMs));
        },
        missed() {
          void reloadAll();
        },
      });
      backstop = setInterval(() => {
        void reloadAll();
        for (const fn of besideBackstop) fn().catch((error) => o.onError(error, 'heartbeat'));
      }, o.backstopMs);
      backstop.unref();
    },
    async stop() {
      clearInterval(backstop);
      await o.transport.stop();
      await Promise.all(running.values());
    },
  };
}

/** `target` whose `methods` publish `changed` once they resolve (the change committed); the rest as it was. */
export function publishing<T extends object>(
  feed: ChangeFeed,
  target: T,
  methods: Array<keyof T>,
  ...changed: Topic[]
): T {
  const wrapped: T = { ...target };
  for (const method of methods) {
    const fn = target[method] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      const result = await fn.apply(target, args);
      await feed.publish(...changed);
      return result;
    };
  }
  return wrapped;
}
