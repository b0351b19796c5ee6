// FreeRADIUS 3 (Debian `freeradius` with `freeradius-ldap`) as the baseline for the RADIUS bench: started in the
// foreground from a configuration written into a temporary directory, so it needs no root-owned path and never
// touches the system's /etc/freeradius. It does the work Tessera does for a passOTP login: split password and code,
// search the user in the directory and bind as them (rlm_ldap), then check the TOTP code (rlm_totp).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { decodePacket, encodeRequest, PacketCode, verifyResponse } from '../src/radius/index.ts';

const radiusd = '/usr/sbin/freeradius';
const libdir = '/usr/lib/freeradius';

export interface FreeRadiusOptions {
  secret: string;
  ldap: { url: string; bindDn: string; bindPassword: string; baseDn: string };
  /** Login name → Base32 TOTP secret: the users file gives rlm_totp the same secret Tessera holds. */
  totpSecrets: Map<string, string>;
}

export interface FreeRadius {
  port: number;
  /**
   * What radiusd logged: start-up messages, errors, and a `Login incorrect (reason)` line for each Access-Reject.
   * FreeRADIUS 3.2.1 gives a wrong TOTP code the reason "Cannot proxy packets unless 'proxy_requests = yes'".
   */
  log(): string;
  close(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(resolve));
  return port;
}

// Values written into the configuration come from the bench itself; quoting them keeps a space or `#` harmless.
const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

function writeConfig(dir: string, port: number, o: FreeRadiusOptions): void {
  const ldap = new URL(o.ldap.url);
  for (const sub of ['sites-enabled', 'mods-enabled']) mkdirSync(join(dir, sub));
  // Paths all point into `dir`. Answered requests are kept 5 s (cleanup_delay) to spot retransmissions, and without a
  // larger max_requests this FreeRADIUS stops answering after 256 of them. Rejects are logged with FreeRADIUS's reason
  // and not delayed: the bench expects none, so one is a misconfiguration to see, not slowness to hide.
  writeFileSync(
    join(dir, 'radiusd.conf'),
    `
prefix = /usr
confdir = ${dir}
raddbdir = ${dir}
run_dir = ${dir}
logdir = ${dir}
db_dir = ${dir}
libdir = ${libdir}
pidfile = ${dir}/radiusd.pid
max_requests = 16384
proxy_requests = no
log {
	auth_reject = yes
}
security {
	reject_delay = 0
	status_server = yes
}
thread pool {
	start_servers = 5
	max_servers = 32
	min_spare_servers = 3
	max_spare_servers = 10
	max_requests_per_server = 0
}
$INCLUDE clients.conf
modules {
	$INCLUDE mods-enabled/
}
$INCLUDE sites-enabled/
`,
  );
  writeFileSync(
    join(dir, 'clients.conf'),
    `client bench {
	ipaddr = 127.0.0.1
	secret = ${quoted(o.secret)}
	require_message_authenticator = yes
}
`,
  );
  // The same service account and search base Tessera uses; the password is proven by binding as the user, since the
  // directory lets nobody read userPassword.
  writeFileSync(
    join(dir, 'mods-enabled', 'ldap'),
    `ldap {
	server = ${quoted(ldap.hostname)}
	port = ${ldap.port}
	identity = ${quoted(o.ldap.bindDn)}
	password = ${quoted(o.ldap.bindPassword)}
	base_dn = ${quoted(o.ldap.baseDn)}
	user {
		base_dn = "\${..base_dn}"
		filter = "(uid=%{User-Name})"
	}
	pool {
		start = 5
		min = 4
		max = 32
		spare = 10
		uses = 0
		idle_timeout = 60
	}
}
`,
  );
  writeFileSync(
    join(dir, 'mods-enabled', 'files'),
    `files {
	filename = ${dir}/users
}
`,
  );
  writeFileSync(join(dir, 'mods-enabled', 'totp'), 'totp {\n}\n');
  // unlang has no reject keyword in version 3: `reject` is an instance of rlm_always.
  writeFileSync(join(dir, 'mods-enabled', 'always'), 'always reject {\n\trcode = reject\n}\n');
  writeFileSync(
    join(dir, 'users'),
    [...o.totpSecrets].map(([name, secret]) => `${quoted(name)} TOTP-Secret := ${quoted(secret)}\n`).join(''),
  );
  writeFileSync(
    join(dir, 'sites-enabled', 'default'),
    `server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = ${port}
	}
	authorize {
		# passOTP, as Tessera's client setting: the last six digits of User-Password are the one-time code.
		if (&User-Password =~ /^(.+)([0-9]{6})$/) {
			update request {
				&User-Password := "%{1}"
				&TOTP-Password := "%{2}"
			}
		}
		else {
			reject
		}
		files
		if (!ok) {
			reject
		}
		ldap
		if (!ok) {
			reject
		}
		update control {
			&Auth-Type := LDAP
		}
	}
	authenticate {
		Auth-Type LDAP {
			# An accepted bind would end the section (ok returns by default in authenticate); the code comes next.
			ldap {
				ok = 1
			}
			if (ok) {
				totp
			}
		}
	}
}
`,
  );
}

/** True once radiusd answers a Status-Server (RFC 5997) signed with the shared secret. */
async function answersStatusServer(port: number, secret: Buffer): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    const authenticator = randomBytes(16);
    const request = encodeRequest(
      { code: PacketCode.StatusServer, identifier: 1, authenticator, attributes: [] },
      secret,
      { messageAuthenticator: true },
    );
    const reply = new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 200);
      socket.on('message', (datagram) => {
        clearTimeout(timer);
        resolve(datagram);
      });
      socket.on('error', () => {
        clearTimeout(timer);
        resolve(null);
      });
    });
    socket.send(request, port, '127.0.0.1');
    const datagram = await reply;
    return (
      datagram !== null &&
      decodePacket(datagram).code === PacketCode.AccessAccept &&
      verifyResponse(datagram, authenticator, secret)
    );
  } finally {
    socket.close();
  }
}

export async function startFreeRadius(o: FreeRadiusOptions): Promise<FreeRadius> {
  if (!existsSync(join(libdir, 'rlm_ldap.so')))
    throw new Error('rlm_ldap is missing: install the Debian package freeradius-ldap');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-freeradius-'));
  const port = await freeUdpPort();
  writeConfig(dir, port, o);
  let output = '';
  // -f: stay in the foreground (and die with the bench), but keep the thread pool that -X would turn off.
  const child: ChildProcess = spawn(radiusd, ['-f', '-d', dir, '-n', 'radiusd', '-l', 'stdout'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const secret = Buffer.from(o.secret);
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`freeradius exited (${child.exitCode}):\n${output}`);
    }
    if (await answersStatusServer(port, secret)) return { port, log: () => output, close };
  }
  await close();
  throw new Error(`freeradius did not answer on ${port}:\n${output}`);
}
