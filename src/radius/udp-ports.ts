// The UDP side of the server: the authentication and accounting sockets, the datagrams in progress on them, and
// the start-up error a port that cannot be had turns into.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { RadiusClient } from './clients.ts';
import type { createCounters } from './counters.ts';
import { RadiusConfigError, RadiusPortError } from './errors.ts';
import type { Report } from './report.ts';
import type { HandleRequest, PortRole } from './request-handler.ts';

export interface UdpPorts {
  bind(port: number, role: 'authentication' | 'accounting'): Promise<Socket>;
  /** From now on, datagrams that arrive are ignored. */
  stopTaking(): void;
  /** Lets answers in progress finish (up to `timeoutMs`), then closes the sockets. */
  close(timeoutMs: number): Promise<void>;
}

// A port that cannot be had is a start-up failure naming the setting, not a warning beside a server that never
// answers (a FreeRADIUS already on 1812 is the usual cause).
export function portRefused(error: NodeJS.ErrnoException, host: string, port: number, role: PortRole): Error {
  const key = role === 'authentication' ? 'port' : role === 'accounting' ? 'accountingPort' : 'radsec.port';
  if (error.code === 'EADDRINUSE') return new RadiusPortError(key, host, port);
  const why =
    error.code === 'EACCES'
      ? 'needs privileges this process does not have'
      : `cannot be used (${error.code ?? error.message})`;
  return new RadiusConfigError([{ key, problem: `${host}:${port} ${why}` }]);
}

// Awaited, so close() does not shut the socket under a reply that is still being written.
function send(socket: Socket, reply: Buffer, to: RemoteInfo, report: Report): Promise<void> {
  return new Promise((resolve) => {
    socket.send(reply, to.port, to.address, (error) => {
      if (error) report(error, null, 'send');
      resolve();
    });
  });
}

function waitAtMost(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  return Promise.race([work, timeout]).then(() => clearTimeout(timer));
}

export function createUdpPorts(deps: {
  host: string;
  findClient(address: string): Promise<RadiusClient | undefined>;
  handle: HandleRequest;
  counters: ReturnType<typeof createCounters>;
  report: Report;
}): UdpPorts {
  const { host, counters, report } = deps;
  const inFlight = new Set<Promise<void>>();
  let sockets: Socket[] = [];
  let closing = false;

  async function handleDatagram(datagram: Buffer, source: RemoteInfo, role: PortRole, socket: Socket): Promise<void> {
    const client = await deps.findClient(source.address);
    if (client === undefined) {
      counters.count(null, 'unknown_client');
      return;
    }
    await deps.handle(datagram, client, source, role, (answer) => send(socket, answer, source, report));
  }

  function open(port: number, role: PortRole): Promise<Socket> {
    return new Promise((resolve, reject) => {
      // Shared by a node's workers (node:cluster), not SO_REUSEPORT: measured, that sent a gateway's one source port to one worker.
      const s = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
      s.on('message', (datagram, source) => {
        if (closing) return;
        const task = handleDatagram(datagram, source, role, s).catch((error: unknown) => report(error, null, 'handle'));
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      });
      const refused = (error: NodeJS.ErrnoException) => {
        s.close();
        reject(portRefused(error, host, port, role));
      };
      s.once('error', refused);
      s.bind(port, host, () => {
        s.off('error', refused);
        s.on('error', (error) => report(error, null, 'socket'));
        resolve(s);
      });
    });
  }

  return {
    async bind(port, role) {
      const socket = await open(port, role);
      sockets.push(socket);
      return socket;
    },
    stopTaking() {
      closing = true;
    },
    async close(timeoutMs) {
      await waitAtMost(Promise.allSettled([...inFlight]), timeoutMs);
      const bound = sockets;
      sockets = [];
      await Promise.all(bound.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
