// The RADIUS server on node:dgram. Each datagram goes through a short, ordered list of steps:
// findClient → decode → verify → deduplicate → answer. Anything that fails before "answer" is dropped
// silently and counted, as RFC 2865 §3 and RFC 3579 §3.2 require; nothing a peer sends can crash it.
// The steps live in request-handler.ts, the sockets in udp-ports.ts and radsec-setup.ts, the NAS table in
// client-loader.ts; this module puts them together.
import { systemClock, type Clock } from '../clock/index.ts';
import { createClientLoader, type ClientLoader } from './client-loader.ts';
import { createClientTable, parseRadiusConfig } from './clients.ts';
import type { RadiusClientConfig, RadiusConfig, RadiusConfigInput } from './config.ts';
import { createCounters, type CountEvent, type RadiusCounters } from './counters.ts';
import { createDuplicateCache } from './duplicates.ts';
import type { AccessDecision, AccessRequest, AccountingRecord } from './messages.ts';
import { createConfiguredRadsec } from './radsec-setup.ts';
import type { RadsecListener } from './radsec.ts';
import { createReporter } from './report.ts';
import { createRequestHandler } from './request-handler.ts';
import { createUdpPorts, portRefused, type UdpPorts } from './udp-ports.ts';

export interface RadiusServerOptions {
  config: RadiusConfigInput;
  /** Decides an Access-Request. Called once per request, never for a retransmission (RFC 5080). */
  authenticate(request: AccessRequest): Promise<AccessDecision>;
  /**
   * NAS clients kept outside the configuration (e.g. added by an operator into the database). They are reloaded every
   * `clientRefreshMs`, and at once when an unknown address sends; a configured client wins over a loaded one of the
   * same name.
   */
  loadClients?(): Promise<RadiusClientConfig[]>;
  /** Stores an accounting record; the Accounting-Response is sent only after it resolves (RFC 2866 §2). */
  account?(record: AccountingRecord): Promise<void>;
  clock?: Clock;
  /** Observes every counted outcome (e.g. to feed Prometheus). */
  onCount?(event: CountEvent): void;
  /** Told about exceptions from `authenticate`/`account` and socket errors; never given a secret. */
  onError?(error: unknown, context: { client: string | null; step: string }): void;
  /** Reply-Message when `authenticate` throws; the composer passes catalogue text. */
  internalErrorMessage?: string;
}

/** Where a listening server is bound (port 0 in the configuration → the free port it got). */
export interface RadiusBound {
  address: string;
  port: number;
  accountingPort: number;
  radsecPort: number | null;
}

export interface RadiusServer {
  /** Binds the UDP sockets (and the RadSec listener when configured). */
  listen(): Promise<RadiusBound>;
  counters(): RadiusCounters;
  /** Reads the loaded clients again now (an operator added or removed a gateway); resolves once the table is new. */
  reloadClients(): Promise<void>;
  /** Stops taking datagrams, lets answers in progress finish (up to closeTimeoutMs), then closes the socket. */
  close(): Promise<void>;
}

interface ServerParts {
  config: RadiusConfig;
  clients: ClientLoader;
  udp: UdpPorts;
  radsec: RadsecListener | null;
}

async function listen({ config, clients, udp, radsec }: ServerParts): Promise<RadiusBound> {
  await clients.reload();
  clients.startRefreshing();
  const authentication = await udp.bind(config.port, 'authentication');
  // RFC 2866 §3: accounting on the next port (1813 beside 1812); with port 0 (tests) a free one.
  const accounting = await udp.bind(config.accountingPort ?? (config.port === 0 ? 0 : config.port + 1), 'accounting');
  const radsecPort = radsec
    ? await radsec.listen().catch((error: NodeJS.ErrnoException) => {
        throw portRefused(error, config.host, config.radsec!.port, 'radsec');
      })
    : null;
  return {
    address: authentication.address().address,
    port: authentication.address().port,
    accountingPort: accounting.address().port,
    radsecPort,
  };
}

async function close({ config, clients, udp, radsec }: ServerParts): Promise<void> {
  udp.stopTaking();
  await clients.stopRefreshing();
  await radsec?.close();
  await udp.close(config.closeTimeoutMs);
}

export function createRadiusServer(options: RadiusServerOptions): RadiusServer {
  const config = parseRadiusConfig(options.config);
  const clock = options.clock ?? systemClock;
  const initial = createClientTable(config.clients);
  const counters = createCounters(initial.names, options.onCount);
  const duplicates = createDuplicateCache({
    clock,
    ttlMs: config.duplicateTtlMs,
    maxEntries: config.duplicateCacheSize,
  });
  const internalErrorMessage = options.internalErrorMessage ?? 'Authentication is unavailable; please try again later.';
  const report = createReporter(options);
  const clients = createClientLoader({
    configured: config.clients,
    initial,
    source: options,
    refreshMs: config.clientRefreshMs,
    clock,
    report,
  });
  const handle = createRequestHandler({ answerers: options, counters, duplicates, report, internalErrorMessage });
  const udp = createUdpPorts({ host: config.host, findClient: clients.find, handle, counters, report });
  const radsec = config.radsec
    ? createConfiguredRadsec(config.radsec, { host: config.host, handle, counters, report })
    : null;
  const parts: ServerParts = { config, clients, udp, radsec };
  return {
    listen: () => listen(parts),
    counters: () => counters.snapshot(),
    reloadClients: () => clients.reloadFresh(),
    close: () => close(parts),
  };
}
