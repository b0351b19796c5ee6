// RadSec (RFC 6614): RADIUS over TLS on TCP 2083. The client is proven by its certificate, not by a shared secret
// (the secret is the fixed "radsec"), so packets cross untrusted networks between sites without MD5 doing the
// protecting. This module is the TLS listener and the stream framing; the packets go to the same handler as UDP.
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { headerLength, maxPacketLength } from './packet.ts';
import type { RadiusClient } from './clients.ts';

// Code, Identifier and the two-octet Length: what must have arrived before a packet's end can be known.
const lengthKnownAt = 4;

export interface RadsecListenerOptions {
  host: string;
  port: number;
  tls: { cert: Buffer; key: Buffer; ca: Buffer };
  idleTimeoutMs: number;
  /** Which client this verified connection is, or undefined to close it (checklist T38, T43). */
  identify(socket: TLSSocket): RadiusClient | undefined;
  onPacket(
    packet: Buffer,
    client: RadiusClient,
    peer: { address: string; port: number },
    reply: (answer: Buffer) => Promise<void>,
  ): Promise<void>;
  /** A connection refused after the handshake, or a stream that broke the framing. */
  onRefused(client: string | null, reason: 'unknown_client' | 'malformed'): void;
  onError(error: unknown): void;
}

export interface RadsecListener {
  listen(): Promise<number>;
  close(): Promise<void>;
}

export function createRadsecListener(o: RadsecListenerOptions): RadsecListener {
  const open = new Set<TLSSocket>();
  let server: Server | null = null;

  function serve(socket: TLSSocket): void {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(o.idleTimeoutMs, () => socket.destroy());
    const client = o.identify(socket);
    if (client === undefined) {
      o.onRefused(null, 'unknown_client');
      socket.destroy();
      return;
    }
    const peer = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const reply = (answer: Buffer) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) {
          resolve();
          return;
        }
        socket.write(answer, () => resolve());
      });
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= lengthKnownAt) {
        const length = pending.readUInt16BE(2);
        // A length outside RFC 2865's bounds leaves no way to find the next packet: the stream is closed.
        if (length < headerLength || length > maxPacketLength) {
          o.onRefused(client.name, 'malformed');
          socket.destroy();
          return;
        }
        if (pending.length < length) break;
        const packet = pending.subarray(0, length);
        pending = pending.subarray(length);
        o.onPacket(packet, client, peer, reply).catch(o.onError);
      }
    });
  }

  return {
    listen() {
      return new Promise((resolve, reject) => {
        const s = createServer(
          { ...o.tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', handshakeTimeout: 10_000 },
          serve,
        );
        // Gateways and proxies keep one connection or a few each; a flood of half-open handshakes must not eat memory.
        s.maxConnections = 1024;
        // A client whose certificate does not verify never gets past the handshake (checklist T43).
        s.on('tlsClientError', () => {
          o.onRefused(null, 'unknown_client');
        });
        s.once('error', reject);
        s.listen(o.port, o.host, () => {
          s.off('error', reject);
          s.on('error', o.onError);
          server = s;
          resolve((s.address() as { port: number }).port);
        });
      });
    },
    async close() {
      const s = server;
      server = null;
      if (s === null) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const socket of open) socket.end();
      // end() lets replies in the pipe go out; what is still open a moment later is cut.
      const timer = setTimeout(() => {
        for (const socket of open) socket.destroy();
      }, 1000);
      await closed;
      clearTimeout(timer);
    },
  };
}
