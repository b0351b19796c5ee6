// A real SMTP server (smtp-server) for tests: it receives what Tessera sends, and can refuse, hold a reply or go
// away entirely, to test retries, shutdown and a relay that is down.
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpTestServer {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** While true, every message is refused at DATA with `refuseCode`. */
  refuse: boolean;
  /** 451 (try again later, the default) or a permanent 5xx such as 550. */
  refuseCode: number;
  /** How many messages to this address were refused so far (each one an attempt by the sender). */
  refusedFor(address: string): number;
  waitForMail(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** The next message is held before the server replies: `arrived` settles when it is in, `release()` lets it through. */
  hold(): { arrived: Promise<void>; release(): void };
  /** Closes the port, so connections are refused like a relay that is down; `up()` listens on the same port again. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

// RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=), as nodemailer writes non-ASCII subjects.
function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([QB])\?([^?]*)\?=(\s+(?==\?))?/gi,
    (_, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_h, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
  );
}

function decodeBody(body: string, encoding: string): string {
  if (/quoted-printable/i.test(encoding)) {
    return Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  }
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  return body;
}

// Enough MIME for tests: unfolded, decoded headers, and the text/plain and text/html parts of the body.
export function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), decodeWords(line.slice(i + 1).trim()));
  }
  const body = rest.join('\n\n');
  const boundary = headers.get('content-type')?.match(/boundary="?([^";]+)"?/)?.[1];
  const part = (type: string): string => {
    if (!boundary) {
      return new RegExp(`^${type}`, 'i').test(headers.get('content-type') ?? 'text/plain')
        ? decodeBody(body, headers.get('content-transfer-encoding') ?? '')
        : '';
    }
    const found = body.split(`--${boundary}`).find((p) => new RegExp(`content-type:\\s*${type}`, 'i').test(p));
    if (!found) return '';
    const [partHead, ...partBody] = found.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    return decodeBody(
      partBody.join('\n\n').replace(/\r?\n$/, ''),
      partHead.match(/content-transfer-encoding:\s*(\S+)/i)?.[1] ?? '',
    );
  };
  return {
    from,
    to,
    headers,
    subject: headers.get('subject') ?? '',
    text: part('text/plain').replace(/\r\n/g, '\n'),
    html: part('text/html'),
    raw,
  };
}

export async function startSmtpServer(): Promise<SmtpTestServer> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const state = {
    refuse: false,
    refuseCode: 451,
    refused: [] as string[][],
    hold: undefined as undefined | { arrived(): void; released: Promise<void> },
  };

  function onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', async () => {
      const held = state.hold;
      state.hold = undefined;
      if (held) {
        held.arrived();
        await held.released;
      }
      if (state.refuse) {
        state.refused.push(session.envelope.rcptTo.map((r) => r.address));
        return callback(Object.assign(new Error('try again later'), { responseCode: state.refuseCode }));
      }
      received.push(
        parseMail(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          session.envelope.rcptTo.map((r) => r.address),
        ),
      );
      for (const wake of waiters) wake();
      callback();
    });
  }

  const listen = async (port: number) => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData,
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    return server;
  };
  let server: SMTPServer | undefined = await listen(0);
  const { port } = server.server.address() as AddressInfo;
  const close = async () => {
    const closing = server;
    server = undefined;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    get refuse() {
      return state.refuse;
    },
    set refuse(value: boolean) {
      state.refuse = value;
    },
    get refuseCode() {
      return state.refuseCode;
    },
    set refuseCode(value: number) {
      state.refuseCode = value;
    },
    refusedFor: (address) => state.refused.filter((to) => to.includes(address)).length,
    waitForMail(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(predicate);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('no matching mail arrived in time'));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    hold() {
      let arrived!: () => void;
      let release!: () => void;
      const arrivedPromise = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      state.hold = {
        arrived,
        released: new Promise<void>((resolve) => {
          release = resolve;
        }),
      };
      return { arrived: arrivedPromise, release };
    },
    down: close,
    async up() {
      if (!server) server = await listen(port);
    },
    stop: close,
  };
}
