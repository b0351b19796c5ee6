// A real OpenLDAP server for directory tests: its own temporary config, MDB database and certificate,
// on free 127.0.0.1 ports (plain LDAP and LDAPS). Never touches the system slapd on 389.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect } from 'node:net';
import { createTestCa } from './certificates.ts';

const fixtures = new URL('./ldap/', import.meta.url).pathname;
const slapdBin = '/usr/sbin/slapd';
const slapaddBin = '/usr/sbin/slapadd';

export const baseDn = 'dc=example,dc=org';
export const serviceDn = 'cn=tessera,ou=services,dc=example,dc=org';
export const servicePassword = 'service-secret';
/** The directory administrator a test uses to change entries (disable, delete) while Tessera runs. */
export const adminDn = 'cn=admin,dc=example,dc=org';
export const adminPassword = 'admin-secret';

export interface Slapd {
  /** ldap://127.0.0.1:port */
  url: string;
  /** ldaps://127.0.0.1:port, certificate signed by `caFile`. */
  ldapsUrl: string;
  /** PEM of the test CA that signed the server certificate. */
  caFile: string;
  /** Everything slapd logged (stats level: one line per connection, bind and search). */
  log(): string;
  /** Kills slapd; its ports then refuse connections. */
  stop(): Promise<void>;
  /** Starts slapd again on the same ports with the same data. */
  restart(): Promise<void>;
  /**
   * Freezes slapd (SIGSTOP): connections stay open but nothing is answered, as with a hung server. Resolves once every
   * slapd thread has stopped: a thread busy on the other core would otherwise still answer what arrives meanwhile.
   */
  freeze(): Promise<void>;
  thaw(): void;
  /** CPU seconds slapd has used so far, all threads (for the bench: how busy the directory was). */
  cpuSeconds(): number;
  /** Stops slapd and deletes its directory. */
  close(): Promise<void>;
  /**
   * Applies LDIF changes (changetype: add / modify / delete) as the directory administrator, with ldapmodify. Async,
   * so this process keeps reading slapd's log meanwhile: a large change would otherwise fill the pipe and stall slapd.
   */
  modify(ldif: string): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function makeCertificates(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const ca = createTestCa(dir, 'slapd');
  return { caFile: ca.caFile, ...ca.issue('localhost', 'DNS:localhost,IP:127.0.0.1') };
}

function slapdConf(
  dir: string,
  certs: { caFile: string; certFile: string; keyFile: string },
  options: Required<SlapdOptions>,
): string {
  // The memberof overlay's memberOf is operational, where the AD look-alike schema's is not: one or the other.
  const adLookAlike = !options.memberOf;
  return `${options.logOperations ? '' : 'loglevel none\n'}include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
${adLookAlike ? `include ${fixtures}ad-lite.schema` : ''}
modulepath /usr/lib/ldap
moduleload back_mdb
# Loaded for its schema (pwdAccountLockedTime); the overlay is not enabled so the tests see the attribute.
moduleload ppolicy
${options.memberOf ? 'moduleload memberof' : ''}
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCACertificateFile ${certs.caFile}
TLSCertificateFile ${certs.certFile}
TLSCertificateKeyFile ${certs.keyFile}

database mdb
maxsize 16777216
suffix "${baseDn}"
rootdn "cn=admin,${baseDn}"
rootpw ${adminPassword}
directory ${dir}/db
index objectClass eq
index uid,member,uniqueMember,memberUid eq
${adLookAlike ? 'index sAMAccountName eq' : ''}
${options.memberOf ? '# Keeps memberOf on each member of a groupOfNames, as AD, 389-DS and FreeIPA do (for changes made while running).\noverlay memberof' : ''}
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
`;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}):\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`slapd did not listen on ${port}:\n${output()}`);
}

export interface SlapdOptions {
  /**
   * Log every operation (stats), read by this process: what the tests check. The benches turn it off, as Debian's
   * own slapd configuration does (olcLogLevel: none): logging thousands of operations a second makes slapd the
   * ceiling of whichever side asks it less, and the ratio then measures slapd instead of Tessera.
   */
  logOperations?: boolean;
  /**
   * The memberof overlay, so that people carry memberOf for groups added while slapd runs (not the LDIF's). Such a
   * slapd has the OpenLDAP fixtures only.
   */
  memberOf?: boolean;
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const logOperations = options.logOperations ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-slapd-'));
  mkdirSync(join(dir, 'db'));
  const certs = makeCertificates(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, slapdConf(dir, certs, { logOperations, memberOf: options.memberOf ?? false }));
  const ldif = ['base.ldif', 'openldap.ldif', ...(options.memberOf ? [] : ['ad.ldif'])]
    .map((f) => readFileSync(join(fixtures, f), 'utf8'))
    .join('\n');
  writeFileSync(join(dir, 'data.ldif'), ldif);
  execFileSync(slapaddBin, ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
  const [port, tlsPort] = [await freePort(), await freePort()];
  let child: ChildProcess | undefined;
  let logText = '';

  async function start(): Promise<void> {
    // -d keeps slapd in the foreground (so it dies with the test); at stats it logs every operation.
    const proc = spawn(
      slapdBin,
      [
        '-f',
        conf,
        '-h',
        `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`,
        '-d',
        logOperations ? 'stats' : '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => {
      logText += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      logText += d.toString();
    });
    await waitForPort(port, proc, () => logText);
    await waitForPort(tlsPort, proc, () => logText);
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    caFile: certs.caFile,
    log: () => logText,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    async freeze() {
      const pid = child?.pid;
      if (pid === undefined) return;
      child!.kill('SIGSTOP');
      // The state letter follows the command name in parentheses: T once the thread is stopped.
      const stopped = () =>
        readdirSync(`/proc/${pid}/task`).every((tid) =>
          /\) [Tt] /.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')),
        );
      while (!stopped()) await new Promise((resolve) => setTimeout(resolve, 1));
    },
    thaw: () => {
      child?.kill('SIGCONT');
    },
    cpuSeconds() {
      if (child?.pid === undefined) return 0;
      // utime and stime, the 14th and 15th fields, in clock ticks (100 a second on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async modify(change) {
      const ldapmodify = spawn(
        'ldapmodify',
        ['-x', '-H', `ldap://127.0.0.1:${port}`, '-D', adminDn, '-w', adminPassword],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      let stderr = '';
      ldapmodify.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      ldapmodify.stdin.end(change);
      const code = await new Promise<number | null>((resolve, reject) => {
        ldapmodify.once('error', reject);
        ldapmodify.once('close', resolve);
      });
      if (code !== 0) throw new Error(`ldapmodify exited with ${code}: ${stderr}`);
    },
  };
}

/** Directory settings (input for the directory config schema) that point at the fixtures of this slapd. */
export function fixtureConfig(preset: 'openldap' | 'activeDirectory', urls: string[]) {
  return {
    urls,
    bindDn: serviceDn,
    bindPassword: servicePassword,
    baseDn: preset === 'openldap' ? `ou=people,${baseDn}` : `ou=corp,${baseDn}`,
    groupBaseDn: preset === 'openldap' ? `ou=groups,${baseDn}` : undefined,
    preset,
    // slapd has no objectCategory: the AD look-alike users carry this auxiliary class instead.
    userFilter: preset === 'openldap' ? undefined : '(objectClass=tesseraAdUser)',
    tls: { allowPlaintext: true },
    connectTimeoutMs: 1000,
    operationTimeoutMs: 1500,
  };
}
