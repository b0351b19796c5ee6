// The NAS table over time: the configured clients plus those the caller loads (e.g. from the database), reloaded
// when told (the change feed), on a timer (the backstop) and when an unknown address sends.
import type { Clock } from '../clock/index.ts';
import { createClientTable, type ClientTable, type RadiusClient } from './clients.ts';
import type { RadiusClientConfig } from './config.ts';
import type { Report } from './report.ts';

/** Called as a method of the object the caller gave (so `this` stays theirs). */
export interface ClientSource {
  loadClients?(): Promise<RadiusClientConfig[]>;
}

export interface ClientLoader {
  find(address: string): Promise<RadiusClient | undefined>;
  reload(): Promise<void>;
  /** A reload that starts after this call (one under way may have read before a change just made). */
  reloadFresh(): Promise<void>;
  /** Reloads every `refreshMs` from now on. */
  startRefreshing(): void;
  /** Stops the timer; returns the reload under way, if any, so that close() does not leave it running. */
  stopRefreshing(): Promise<void> | null;
}

export function createClientLoader(deps: {
  configured: readonly RadiusClientConfig[];
  initial: ClientTable;
  source: ClientSource;
  refreshMs: number;
  clock: Clock;
  report: Report;
}): ClientLoader {
  const { configured, source, clock, report } = deps;
  const configuredNames = new Set(configured.map((c) => c.name));
  let clients = deps.initial;
  let lastOnDemandLoad = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | null = null;
  let onDemand: Promise<void> | null = null;
  let refreshTimer: NodeJS.Timeout | undefined;

  function reload(): Promise<void> {
    if (!source.loadClients) return Promise.resolve();
    loading ??= (async () => {
      try {
        const loaded = (await source.loadClients!()).filter((c) => !configuredNames.has(c.name));
        clients = createClientTable([...configured, ...loaded]);
      } catch (error) {
        // Keep the table we have: a database hiccup must not lock every gateway out.
        report(error, null, 'load_clients');
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  async function find(address: string): Promise<RadiusClient | undefined> {
    const known = clients.find(address);
    if (known !== undefined || !source.loadClients) return known;
    // A flood from unknown addresses costs at most one reload a second. A packet that finds a reload under way (a new
    // gateway's first packets arrive together; the change feed's reload may be running) waits for it instead of
    // being dropped: only the packet that starts a reload spends the second's.
    if (clock.now() - lastOnDemandLoad < 1000) {
      await onDemand;
      await loading;
      return clients.find(address);
    }
    lastOnDemandLoad = clock.now();
    // A read already under way may predate this gateway's addition: let it finish, then read again. Set at once, so
    // a packet arriving meanwhile waits for this very read.
    onDemand = (async () => {
      await loading;
      await reload();
    })();
    await onDemand;
    return clients.find(address);
  }

  return {
    find,
    reload,
    async reloadFresh() {
      await loading;
      await reload();
    },
    startRefreshing() {
      refreshTimer = setInterval(() => {
        void reload();
      }, deps.refreshMs);
      refreshTimer.unref();
    },
    stopRefreshing() {
      clearInterval(refreshTimer);
      return loading;
    },
  };
}
