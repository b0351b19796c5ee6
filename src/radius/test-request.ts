// The console's "send a test Access-Request": a real Access-Request, as the gateway would send it (its secret, the
// User-Password hidden per RFC 2865 §5.2, Message-Authenticator first), to this server's own RADIUS port; the answer
// is checked with the same secret (Response Authenticator) before it is believed.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { encodeValue, getAttributes } from './attributes.ts';
import { encodeRequest, hidePassword, verifyResponse } from './authenticator.ts';
import { AttributeCode, PacketCode, packetCodeName } from './dictionary.ts';
import { decodePacket } from './packet.ts';

export interface TestRequest {
  host: string;
  port: number;
  secret: string;
  user: string;
  password: string;
  timeoutMs: number;
}

/** What came back: the packet's name and Reply-Message texts, or `none` when nothing (verifiable) came in time. */
export interface TestAnswer {
  answer: string;
  replyMessages: string[];
}

export async function sendTestAccessRequest(r: TestRequest): Promise<TestAnswer> {
  const secret = Buffer.from(r.secret, 'utf8');
  const authenticator = randomBytes(16);
  const identifier = randomBytes(1)[0];
  const attributes = [
    encodeValue('User-Name', r.user),
    { type: AttributeCode.UserPassword, value: hidePassword(Buffer.from(r.password, 'utf8'), secret, authenticator) },
    encodeValue('NAS-Identifier', 'tessera-console-test'),
  ];
  const packet = encodeRequest({ code: PacketCode.AccessRequest, identifier, authenticator, attributes }, secret, {
    messageAuthenticator: true,
  });
  const socket = createSocket(r.host.includes(':') ? 'udp6' : 'udp4');
  try {
    return await new Promise<TestAnswer>((resolve, reject) => {
      const timer = setTimeout(() => resolve({ answer: 'none', replyMessages: [] }), r.timeoutMs);
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('message', (datagram) => {
        try {
          const reply = decodePacket(datagram);
          if (reply.identifier !== identifier || !verifyResponse(datagram, authenticator, secret)) return;
          clearTimeout(timer);
          const replyMessages = getAttributes(reply, 'Reply-Message').map(String);
          resolve({ answer: packetCodeName(reply.code), replyMessages });
        } catch {
          // Not a RADIUS answer to this request: wait for the one that is.
        }
      });
      socket.send(packet, r.port, r.host);
    });
  } finally {
    socket.close();
  }
}
