// Connections kept open to the directory, in two pools that never lend a connection to each other:
// - service connections, bound as the service account, carry every search;
// - bind connections only ever carry people's binds (the password check), nothing else.
// A person's bind changes who the connection acts as, and a refused bind leaves it anonymous: keeping those
// connections apart from the searching ones is what makes them safe to reuse (no search ever runs with a person's
// rights, and no person's bind state matters to the next bind, which replaces it).
// A connection that broke (server restarted, timed out) is dropped, never reused; the next request opens a fresh
// one through the fail-over list, which is how service resumes once a server comes back.
import type { Client } from 'ldapts';
import {
  closeQuietly,
  connectAndBind,
  connectAndTryBind,
  isDirectoryAnswer,
  simpleBind,
  type ConnectionSettings,
} from './connection.ts';
import { DirectoryError, DirectoryUnreachableError } from './errors.ts';

/** At most `size` connections, idle or in use, and the callers waiting for one. */
class Slots {
  readonly #size: number;
  readonly #usable: (client: Client) => boolean;
  #idle: Client[] = [];
  #open = 0;
  #waiters: Array<() => void> = [];
  #closed = false;

  constructor(size: number, usable: (client: Client) => boolean) {
    this.#size = size;
    this.#usable = usable;
  }

  /** An idle usable connection, or null when the caller may open one (its slot is then already counted). */
  async take(): Promise<Client | null> {
    for (;;) {
      if (this.#closed) throw new DirectoryUnreachableError('the directory source is closed');
      const idle = this.#idle.pop();
      if (idle !== undefined) {
        if (this.#usable(idle)) return idle;
        this.drop(idle);
        continue;
      }
      if (this.#open < this.#size) {
        this.#open++;
        return null;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  put(client: Client): void {
    if (this.#closed) {
      this.drop(client);
      return;
    }
    this.#idle.push(client);
    this.#waiters.shift()?.();
  }

  drop(client: Client): void {
    closeQuietly(client);
    this.free();
  }

  /** Gives back a slot whose connection could not be opened or was dropped. */
  free(): void {
    this.#open--;
    this.#waiters.shift()?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle;
    this.#idle = [];
    this.#open -= idle.length;
    await Promise.all(idle.map((c) => c.unbind().catch(() => undefined)));
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

export class ServicePool {
  readonly #settings: ConnectionSettings;
  readonly #dn: string;
  readonly #password: string;
  // isBound turns false when ldapts reconnected by itself: such a connection would search anonymously.
  readonly #slots: Slots;

  constructor(settings: ConnectionSettings, dn: string, password: string, size: number) {
    this.#settings = settings;
    this.#dn = dn;
    this.#password = password;
    this.#slots = new Slots(size, (c) => c.isConnected && c.isBound);
  }

  /**
   * Runs `work` on a bound service connection. When a kept connection fails at the network (the server
   * restarted since), the work is retried once on a fresh connection before reporting unreachable.
   */
  async use<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const idle = await this.#slots.take();
    if (idle === null) return this.#run(await this.#open(), work, false);
    try {
      return await this.#run(idle, work, true);
    } catch (err) {
      if (isDirectoryAnswer(err)) throw err;
    }
    // The broken connection's slot was kept for its replacement.
    return this.#run(await this.#open(), work, false);
  }

  async #run<T>(client: Client, work: (client: Client) => Promise<T>, keepSlotOnFailure: boolean): Promise<T> {
    try {
      const result = await work(client);
      this.#slots.put(client);
      return result;
    } catch (err) {
      if (isDirectoryAnswer(err)) this.#slots.put(client);
      else if (keepSlotOnFailure) closeQuietly(client);
      else this.#slots.drop(client);
      throw err;
    }
  }

  // Called with a slot already counted; gives it back when the connection cannot be made.
  async #open(): Promise<Client> {
    try {
      return await connectAndBind(this.#settings, this.#dn, this.#password);
    } catch (err) {
      this.#slots.free();
      throw err;
    }
  }

  close(): Promise<void> {
    return this.#slots.close();
  }
}

/**
 * Checks people's passwords by binding as them on connections kept for nothing else, instead of a connection (and
 * with TLS a handshake) per sign-in. The Client never leaves this class, so nothing but a bind can run on it.
 */
export class BindPool {
  readonly #settings: ConnectionSettings;
  readonly #slots: Slots;

  constructor(settings: ConnectionSettings, size: number) {
    this.#settings = settings;
    // Bound as whoever came last, or anonymous after a refusal: either is fine for a connection that only binds.
    this.#slots = new Slots(size, (c) => c.isConnected);
  }

  /**
   * Resolves when the directory accepts `password` for `dn`; rejects with the directory's answer (an ldapts
   * ResultCodeError, e.g. invalid credentials), or DirectoryUnreachableError / a network error.
   */
  async bind(dn: string, password: string): Promise<void> {
    const idle = await this.#slots.take();
    if (idle !== null) {
      const started = performance.now();
      try {
        await simpleBind(idle, dn, password);
        this.#slots.put(idle);
        return;
      } catch (err) {
        if (isDirectoryAnswer(err) || err instanceof DirectoryError) {
          this.#slots.put(idle);
          throw err;
        }
        closeQuietly(idle);
        // A bind left unanswered for the whole timeout is not sent again: the server may still process it (a wrong
        // password would then count twice toward its lockout), and it has had its time.
        if (performance.now() - started >= this.#settings.operationTimeoutMs) {
          this.#slots.free();
          throw new DirectoryUnreachableError('the directory did not answer a bind in time', err);
        }
        // Otherwise the kept connection had outlived its server (restart, idle timeout): one try on a fresh
        // connection, in the same slot.
      }
    }
    let outcome;
    try {
      outcome = await connectAndTryBind(this.#settings, dn, password);
    } catch (err) {
      this.#slots.free();
      throw err;
    }
    this.#slots.put(outcome.client);
    if (outcome.refused !== null) throw outcome.refused;
  }

  close(): Promise<void> {
    return this.#slots.close();
  }
}
