// A few service-account connections kept open for searches. A connection that broke (server restarted,
// timed out) is dropped, never reused; the next request opens a fresh one through the fail-over list,
// which is how service resumes once a server comes back.
import type { Client } from 'ldapts';
import { closeQuietly, connectAndBind, isDirectoryAnswer, type ConnectionSettings } from './connection.ts';
import { DirectoryUnreachableError } from './errors.ts';

export class ServicePool {
  readonly #settings: ConnectionSettings;
  readonly #dn: string;
  readonly #password: string;
  readonly #size: number;
  #idle: Client[] = [];
  /** Connections that exist, idle or in use. */
  #open = 0;
  #waiters: Array<() => void> = [];
  #closed = false;

  constructor(settings: ConnectionSettings, dn: string, password: string, size: number) {
    this.#settings = settings;
    this.#dn = dn;
    this.#password = password;
    this.#size = size;
  }

  /**
   * Runs `work` on a bound service connection. When a kept connection fails at the network (the server
   * restarted since), the work is retried once on a fresh connection before reporting unreachable.
   */
  async use<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const { client, reused } = await this.#acquire();
    try {
      return await this.#run(client, work);
    } catch (err) {
      if (isDirectoryAnswer(err) || !reused) throw err;
      // The slot freed by the broken connection is taken again at once for its replacement.
      this.#open++;
      return this.#run(await this.#connect(), work);
    }
  }

  async #run<T>(client: Client, work: (client: Client) => Promise<T>): Promise<T> {
    try {
      const result = await work(client);
      this.#release(client);
      return result;
    } catch (err) {
      if (isDirectoryAnswer(err)) this.#release(client);
      else this.#discard(client);
      throw err;
    }
  }

  async #acquire(): Promise<{ client: Client; reused: boolean }> {
    for (;;) {
      if (this.#closed) throw new DirectoryUnreachableError('the directory source is closed');
      const idle = this.#idle.pop();
      if (idle !== undefined) {
        if (idle.isConnected && idle.isBound) return { client: idle, reused: true };
        this.#discard(idle);
        continue;
      }
      if (this.#open < this.#size) {
        this.#open++;
        return { client: await this.#connect(), reused: false };
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  // Called with a slot already counted in #open; gives it back when the connection cannot be made.
  async #connect(): Promise<Client> {
    try {
      return await connectAndBind(this.#settings, this.#dn, this.#password);
    } catch (err) {
      this.#open--;
      this.#waiters.shift()?.();
      throw err;
    }
  }

  #release(client: Client): void {
    if (this.#closed) { this.#discard(client); return; }
    this.#idle.push(client);
    this.#waiters.shift()?.();
  }

  #discard(client: Client): void {
    closeQuietly(client);
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
