// The RadSec listener as the configuration describes it: TLS files read at start-up, clients known by address and,
// where configured, by the name in their certificate.
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { createClientTable } from './clients.ts';
import type { RadiusConfig } from './config.ts';
import type { createCounters } from './counters.ts';
import { RadiusConfigError } from './errors.ts';
import { createRadsecListener, type RadsecListener } from './radsec.ts';
import type { Report } from './report.ts';
import type { HandleRequest } from './request-handler.ts';

type RadsecSettings = NonNullable<RadiusConfig['radsec']>;

function readTlsFile(settings: RadsecSettings, key: 'certFile' | 'keyFile' | 'caFile'): Buffer {
  try {
    return readFileSync(settings[key]);
  } catch (error) {
    throw new RadiusConfigError([
      { key: `radsec.${key}`, problem: `cannot read ${settings[key]} (${(error as NodeJS.ErrnoException).code})` },
    ]);
  }
}

function certificateNames(socket: TLSSocket): string[] {
  const certificate = socket.getPeerCertificate();
  const dns = (certificate.subjectaltname ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4));
  const cn = certificate.subject?.CN;
  return [...dns, ...(Array.isArray(cn) ? cn : cn ? [cn] : [])];
}

export function createConfiguredRadsec(
  settings: RadsecSettings,
  deps: { host: string; handle: HandleRequest; counters: ReturnType<typeof createCounters>; report: Report },
): RadsecListener {
  const { handle, counters, report } = deps;
  // RFC 6614 §2.3: over TLS the RADIUS shared secret is the fixed string "radsec".
  const table = createClientTable(settings.clients.map((c) => ({ ...c, secret: 'radsec' })));
  const wantedName = new Map(settings.clients.map((c) => [c.name, c.certificateName]));
  return createRadsecListener({
    host: deps.host,
    port: settings.port,
    idleTimeoutMs: settings.idleTimeoutMs,
    tls: {
      cert: readTlsFile(settings, 'certFile'),
      key: readTlsFile(settings, 'keyFile'),
      ca: readTlsFile(settings, 'caFile'),
    },
    identify(socket) {
      const client = table.find(socket.remoteAddress ?? '');
      const wanted = client && wantedName.get(client.name);
      return client && (wanted === undefined || certificateNames(socket).includes(wanted)) ? client : undefined;
    },
    onPacket: (packet, client, peer, reply) => handle(packet, client, peer, 'radsec', reply),
    onRefused: (name, reason) => counters.count(name, reason),
    onError: (error) => report(error, null, 'radsec'),
  });
}
