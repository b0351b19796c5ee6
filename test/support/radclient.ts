// Runs FreeRADIUS's `radclient` (freeradius-utils) as a real NAS against a server under test:
// attributes go on stdin in radclient's `Name = value` syntax, the reply is parsed from its -x output.
import { spawn } from 'node:child_process';

export interface RadclientReply {
  /** The received packet's name (`Access-Accept`, …), or null when no reply arrived. */
  code: string | null;
  /** Reply attributes in received order; quoted strings unquoted, other values (0x…, numbers, names) verbatim. */
  attributes: Array<{ name: string; value: string }>;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface RadclientOptions {
  port: number;
  host?: string;
  secret: string;
  /** `auth`, `acct` or `status`. */
  command: 'auth' | 'acct' | 'status';
  /** Attribute lines, e.g. ['User-Name = "alice"', 'Message-Authenticator = 0x00']. */
  attributes: string[];
  /** Seconds to wait for a reply (-t) and how many tries (-r); short by default so "no answer" tests stay quick. */
  timeoutSeconds?: number;
  retries?: number;
}

function unquote(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"')) return raw;
  return raw.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function parseRadclientOutput(stdout: string): Pick<RadclientReply, 'code' | 'attributes'> {
  let code: string | null = null;
  const attributes: RadclientReply['attributes'] = [];
  let inReply = false;
  for (const line of stdout.split('\n')) {
    const received = /^Received (\S+) Id \d+/.exec(line);
    if (received) {
      code = received[1];
      inReply = true;
      continue;
    }
    if (!line.startsWith('\t')) {
      inReply = false;
      continue;
    }
    if (!inReply) continue;
    const attribute = /^\t(\S+) = (.*)$/.exec(line);
    if (attribute) attributes.push({ name: attribute[1], value: unquote(attribute[2]) });
  }
  return { code, attributes };
}

export async function radclient(options: RadclientOptions): Promise<RadclientReply> {
  const args = [
    '-x',
    '-t',
    String(options.timeoutSeconds ?? 1),
    '-r',
    String(options.retries ?? 1),
    // A secret that starts with '-' (base64url makes one in 64) would be read as an option, and radclient would exit.
    '--',
    `${options.host ?? '127.0.0.1'}:${options.port}`,
    options.command,
    options.secret,
  ];
  const child = spawn('radclient', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(`${options.attributes.join('\n')}\n`);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return { ...parseRadclientOutput(stdout), exitCode, stdout, stderr };
}
