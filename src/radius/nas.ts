// A minimal NAS side over node:dgram: builds signed requests and waits for the reply to one identifier.
// Tests and load generators use it to look at raw reply octets, which radclient does not show.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { encodeRequest, verifyResponse } from './authenticator.ts';
import type { RadiusAttribute } from './packet.ts';

export interface Nas {
  readonly port: number;
  /**
   * Sends raw octets and resolves with the first reply to them — same Identifier and a Response Authenticator made
   * over this request's authenticator, so a late reply to an earlier request with the same Identifier is not taken
   * for it — or null after `waitMs`.
   */
  exchange(datagram: Buffer, waitMs?: number): Promise<Buffer | null>;
  /** Sends raw octets without waiting for anything. */
  send(datagram: Buffer): Promise<void>;
  /** Builds a request (Message-Authenticator first when asked; User-Password hidden by the caller). */
  build(
    code: number,
    attributes: readonly RadiusAttribute[],
    options?: { messageAuthenticator?: boolean; identifier?: number; authenticator?: Buffer; secret?: Buffer },
  ): Buffer;
  close(): Promise<void>;
}

export async function openNas(server: { host?: string; port: number; secret: Buffer }): Promise<Nas> {
  const host = server.host ?? '127.0.0.1';
  const socket: Socket = createSocket('udp4');
  const waiting = new Map<number, (reply: Buffer) => void>();
  socket.on('message', (reply) => {
    if (reply.length >= 20) waiting.get(reply[1])?.(reply);
  });
  const answers = (reply: Buffer, request: Buffer) =>
    request.length < 20 || verifyResponse(reply, request.subarray(4, 20), server.secret);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let nextIdentifier = 0;
  const send = (datagram: Buffer) =>
    new Promise<void>((resolve, reject) => {
      socket.send(datagram, server.port, host, (error) => (error ? reject(error) : resolve()));
    });
  return {
    port: socket.address().port,
    send,
    async exchange(datagram, waitMs = 2000) {
      const identifier = datagram.length > 1 ? datagram[1] : -1;
      const reply = new Promise<Buffer | null>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(identifier);
          resolve(null);
        }, waitMs);
        waiting.set(identifier, (r) => {
          if (!answers(r, datagram)) return;
          clearTimeout(timer);
          waiting.delete(identifier);
          resolve(r);
        });
      });
      await send(datagram);
      return reply;
    },
    build(code, attributes, options = {}) {
      const identifier = options.identifier ?? nextIdentifier++ & 0xff;
      return encodeRequest(
        { code, identifier, authenticator: options.authenticator ?? randomBytes(16), attributes },
        options.secret ?? server.secret,
        { messageAuthenticator: options.messageAuthenticator ?? true },
      );
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
