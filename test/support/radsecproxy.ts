// radsecproxy (Debian) as a remote site's RADIUS proxy: it takes UDP from a local NAS (radclient) and forwards it
// over RadSec (TLS, RFC 6614) to the server under test, presenting the given client certificate.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './tessera.ts';

export const radsecproxyBin = '/usr/sbin/radsecproxy';

export interface Radsecproxy {
  /** Where the NAS sends UDP RADIUS, with `nasSecret`. */
  udpPort: number;
  nasSecret: string;
  log(): string;
  close(): Promise<void>;
}

export async function startRadsecproxy(o: {
  serverPort: number;
  caFile: string;
  certFile: string;
  keyFile: string;
}): Promise<Radsecproxy> {
  if (!existsSync(radsecproxyBin))
    throw new Error(`${radsecproxyBin} is missing: install the Debian package radsecproxy`);
  const dir = mkdtempSync(join(tmpdir(), 'radsecproxy-'));
  const udpPort = await freePort();
  const nasSecret = 'nas-to-proxy-secret-0123456789ab';
  const logFile = join(dir, 'radsecproxy.log');
  const conf = join(dir, 'radsecproxy.conf');
  writeFileSync(
    conf,
    `ListenUDP 127.0.0.1:${udpPort}
LogLevel 3
LogDestination file://${logFile}
PidFile ${join(dir, 'radsecproxy.pid')}
tls site {
    CACertificateFile ${o.caFile}
    CertificateFile ${o.certFile}
    CertificateKeyFile ${o.keyFile}
}
client nas {
    host 127.0.0.1
    type udp
    secret ${nasSecret}
}
server tessera {
    host 127.0.0.1
    port ${o.serverPort}
    type tls
    tls site
    secret radsec
}
realm * {
    server tessera
    accountingServer tessera
}
`,
  );
  const child: ChildProcess = spawn(radsecproxyBin, ['-f', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // It reads its configuration and binds the UDP port at once; give it a moment, then check it is still up.
  await sleep(300);
  if (child.exitCode !== null) throw new Error(`radsecproxy did not start: ${output}`);
  return {
    udpPort,
    nasSecret,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + output,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
