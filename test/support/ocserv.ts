// A real OpenConnect VPN server (Debian's ocserv, RADIUS through radcli) in front of a RADIUS server under test,
// and the real `openconnect` client that logs in to it. ocserv runs in the foreground from its own temporary
// directory: ocserv.conf, a radcli radiusclient.conf + servers file + dictionary, and a TLS key and certificate
// made here, on a free 127.0.0.1 port. Only authentication is exercised (`openconnect --authenticate` stops at the
// cookie), so no tun device, no routes and no privileges beyond starting ocserv are needed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate, createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './tessera.ts';
import { createTestCa } from './certificates.ts';

const ocservBin = '/usr/sbin/ocserv';
// radcli's own dictionary (package libradcli4, a dependency of ocserv): every attribute ocserv sends or reads.
const radcliDictionary = '/etc/radcli/dictionary';

/** Why ocserv + openconnect cannot run here (a sentence for a skip message), or null when they can. */
export function ocservUnavailable(): string | null {
  const missing: string[] = [];
  if (!existsSync(ocservBin)) missing.push(`ocserv (${ocservBin})`);
  if (!existsSync(radcliDictionary)) missing.push(`radcli's dictionary (${radcliDictionary})`);
  if (spawnSync('openconnect', ['--version'], { stdio: 'ignore' }).error) missing.push('openconnect');
  return missing.length === 0 ? null : `${missing.join(', ')} not installed: apt-get install ocserv openconnect`;
}

export interface Ocserv {
  /** https://127.0.0.1:port/ */
  url: string;
  /** The certificate's public-key pin for `openconnect --servercert` (`pin-sha256:…`, base64 SHA-256 of the SPKI). */
  pin: string;
  /** Everything ocserv and its sec-mod logged (radcli's errors included). */
  log(): string;
  /** Stops ocserv (its sec-mod and workers with it) and deletes its directory. */
  close(): Promise<void>;
}

export interface OcservOptions {
  /** The RADIUS server ocserv asks (radcli `authserver`), on 127.0.0.1. */
  radiusPort: number;
  secret: string;
  /** radcli's wait for an answer, in seconds (radcli insists on at least 1), and how many tries. */
  radiusTimeoutSeconds?: number;
  radiusRetries?: number;
}

function makeCertificate(dir: string): { certFile: string; keyFile: string; pin: string } {
  const { certFile, keyFile } = createTestCa(dir, 'ocserv').issue('localhost', 'DNS:localhost,IP:127.0.0.1');
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return { certFile, keyFile, pin: `pin-sha256:${createHash('sha256').update(spki).digest('base64')}` };
}

function writeConfiguration(
  dir: string,
  port: number,
  options: OcservOptions,
  cert: { certFile: string; keyFile: string },
): string {
  // radcli: `authserver host:port`, the secret from the servers file (looked up by the server's address). No
  // acctserver: ocserv sends no accounting without `acct =`, and radcli allows leaving it out.
  writeFileSync(join(dir, 'servers'), `127.0.0.1\t${options.secret}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'dictionary'), `$INCLUDE ${radcliDictionary}\n`);
  writeFileSync(
    join(dir, 'radiusclient.conf'),
    [
      `authserver 127.0.0.1:${options.radiusPort}`,
      `servers ${join(dir, 'servers')}`,
      `dictionary ${join(dir, 'dictionary')}`,
      `radius_timeout ${options.radiusTimeoutSeconds ?? 5}`,
      `radius_retries ${options.radiusRetries ?? 1}`,
      'bindaddr *',
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  const conf = join(dir, 'ocserv.conf');
  writeFileSync(
    conf,
    [
      `auth = "radius[config=${join(dir, 'radiusclient.conf')},groupconfig=false]"`,
      'listen-host = 127.0.0.1',
      // TCP only: without udp-port there is no DTLS, which a login never reaches anyway.
      `tcp-port = ${port}`,
      // As root ocserv drops its workers to this user; they reach sec-mod through socket-file, hence the 0755 directory.
      ...(asRoot ? ['run-as-user = nobody', 'run-as-group = nogroup'] : []),
      `socket-file = ${join(dir, 'ocserv.sock')}`,
      `pid-file = ${join(dir, 'ocserv.pid')}`,
      'use-occtl = false',
      `server-cert = ${cert.certFile}`,
      `server-key = ${cert.keyFile}`,
      // Worker seccomp isolation is not available in every container; it plays no part in authentication.
      'isolate-workers = false',
      'max-clients = 16',
      'max-same-clients = 0',
      // Required to start; used only when a tunnel is set up (tun device, addresses), which --authenticate never does.
      'device = vpns',
      'ipv4-network = 192.168.99.0/24',
      '',
    ].join('\n'),
  );
  return conf;
}

export async function startOcserv(options: OcservOptions): Promise<Ocserv> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ocserv-'));
  chmodSync(dir, 0o755);
  const cert = makeCertificate(dir);
  const port = await freePort();
  const conf = writeConfiguration(dir, port, options, cert);
  let logText = '';
  // -f: foreground, so it dies with the test; -d 3: sec-mod says when it is ready and logs radius-auth steps.
  // Its own process group, so close() reaches sec-mod and the workers too.
  const child: ChildProcess = spawn(ocservBin, ['-f', '-d', '3', '-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => {
    logText += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    logText += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        /* already gone */
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
    signal('SIGKILL'); // anything of the group still around
  }

  try {
    // Main listens first, then sec-mod (which reads the radcli configuration) reports it is ready.
    for (let waited = 0; !/sec-mod initialized/.test(logText); waited += 50) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`ocserv exited (${child.exitCode ?? child.signalCode}):\n${logText}`);
      if (waited > 10_000) throw new Error(`ocserv did not start within 10 s:\n${logText}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!logText.includes(`listening (TCP) on 127.0.0.1:${port}`))
      throw new Error(`ocserv is not listening on ${port}:\n${logText}`);
  } catch (err) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `https://127.0.0.1:${port}/`,
    pin: cert.pin,
    log: () => logText,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OpenconnectLogin {
  exitCode: number | null;
  /** What `--authenticate` prints on success: COOKIE='…', HOST=…, FINGERPRINT=… */
  stdout: string;
  /** The conversation: the server's form messages and openconnect's prompts (Username:, Password:, …). */
  stderr: string;
  /** The webvpn session cookie, when the login succeeded. */
  cookie: string | null;
}

/**
 * `openconnect --authenticate` against `server`: it only logs in and prints the session cookie (no tunnel, no tun).
 * `answers` are typed on stdin, one a line, in the order openconnect asks: without a terminal (and without
 * --non-inter) it reads every form field, username, password and each Access-Challenge's "Password1:", from stdin.
 * Once the answers run out openconnect hits end of file and gives up, so a rejected login ends quickly.
 */
export async function openconnectLogin(
  server: Pick<Ocserv, 'url' | 'pin'>,
  answers: string[],
  timeoutMs = 20_000,
): Promise<OpenconnectLogin> {
  const child = spawn('openconnect', ['--authenticate', '--servercert', server.pin, server.url], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.on('error', () => {
    /* openconnect may exit before reading everything */
  });
  child.stdin.end(answers.map((a) => `${a}\n`).join(''));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  clearTimeout(timer);
  const cookie = /^COOKIE='([^']*)'/m.exec(stdout)?.[1] ?? null;
  return { exitCode, stdout, stderr, cookie };
}
