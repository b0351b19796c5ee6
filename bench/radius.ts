// VPN logins over RADIUS with password and one-time code in one User-Password (passOTP): Tessera against
// FreeRADIUS 3 (rlm_ldap + rlm_totp) for the same directory users with the same TOTP secrets, driven by the same
// NAS-side load generator built on Tessera's own RADIUS codec. Both check the directory password by binding as the
// user and the code against the same secret; only Tessera also refuses a code used before, counts failures toward a
// lock and writes an audit trail (rlm_totp in FreeRADIUS 3.2.1 keeps no state at all), so the ratio prices those too.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { AttributeCode, decodePacket, hidePassword, PacketCode, packetCodeName, verifyResponse, type RadiusPacket } from '../src/radius/index.ts';
import { openNas, type Nas } from '../src/radius/nas.ts';
import { base32Decode, totp } from '../src/otp/index.ts';
import { startTessera, type RunningTessera } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig, serviceDn, servicePassword } from '../test/support/slapd.ts';
import { startFreeRadius, type FreeRadius } from './freeradius.ts';
import { benchLimits, compare, measure, report, type LoadResult, type Outcome } from './load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const concurrency = 8;
// Enough that a cycle through them takes Tessera a few seconds, so its clock moves a step only now and then.
const userCount = Number(process.env.BENCH_RADIUS_USERS ?? 1000);
const secret = 'bench-radius-shared-secret-32-chars!';
const stepMs = 30_000;
const totpParameters = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 } as const;
// rlm_totp only takes the code of the step the packet arrived in: a code read this close to the step's end is not
// sent, on either side, and the worker waits for the next one as a person would.
const stepEndMarginMs = 100;
const replyTimeoutMs = 2000;

// The key as a KeyObject: the load generator's own HMACs should cost it as little as Node allows.
interface BenchUser { name: string; password: string; key: KeyObject; secretBase32: string }

/**
 * Tessera accepts each step's code once per person (RFC 6238 §5.2). Rather than thousands of users per 30 s, its
 * clock is real time plus whole steps: once every user has logged in during the current step it moves to the next.
 * Step boundaries stay those of real time, and every login is still a fresh code for the step Tessera is in.
 */
function steppingClock() {
  let offsetMs = 0;
  return { now: () => Date.now() + offsetMs, nextStep: () => { offsetMs += stepMs; } };
}

function directoryUsersLdif(users: Array<{ name: string; password: string }>): string {
  return users.map((u) => [
    `dn: uid=${u.name},ou=people,dc=example,dc=org`, 'changetype: add', 'objectClass: inetOrgPerson',
    `uid: ${u.name}`, `cn: Bench ${u.name}`, 'sn: Bench', `userPassword: ${u.password}`, '',
  ].join('\n')).join('\n');
}

/** Accounts are created at the first directory sign-in; then each gets an active TOTP token. */
async function enrol(tessera: RunningTessera, clock: { now(): number }, user: Omit<BenchUser, 'key' | 'secretBase32'>): Promise<BenchUser> {
  const account = await tessera.workforce!.signIn(user.name, user.password);
  const enrolment = await tessera.otp.beginEnrolment(account.id, user.name, 'mobile');
  const key = createSecretKey(base32Decode(enrolment.secretBase32));
  // The previous step's code, so that the current step is still unused when the bench starts.
  await tessera.otp.confirmEnrolment(account.id, enrolment.tokenId, totp(key, clock.now() - stepMs, totpParameters));
  return { ...user, key, secretBase32: enrolment.secretBase32 };
}

interface Target {
  name: string;
  port: number;
  clock: { now(): number };
  /** Tessera refuses a code used before; FreeRADIUS's rlm_totp keeps no such record and needs no new step. */
  nextStep?(): void;
}

async function send(target: Target, nas: Nas, userName: string, password: string): Promise<RadiusPacket> {
  const authenticator = randomBytes(16);
  const request = nas.build(PacketCode.AccessRequest, [
    { type: AttributeCode.UserName, value: Buffer.from(userName) },
    { type: AttributeCode.UserPassword, value: hidePassword(Buffer.from(password), Buffer.from(secret), authenticator) },
  ], { authenticator });
  const reply = await nas.exchange(request, replyTimeoutMs);
  if (reply === null) throw new Error(`${target.name}: no reply for ${userName} within ${replyTimeoutMs} ms`);
  if (!verifyResponse(reply, authenticator, Buffer.from(secret))) throw new Error(`${target.name}: reply with a wrong Response Authenticator`);
  return decodePacket(reply);
}

/**
 * An Access-Accept proves something only from a server that refuses a wrong password and a wrong code (rlm_totp,
 * for one, answers "noop" for a user without a secret, which would let the password alone through). Checked with a
 * user outside the load, whose counted failures cannot slow a measured login down.
 */
async function assertRefusesWrongCredentials(target: Target, user: BenchUser): Promise<void> {
  const nas = await openNas({ port: target.port, secret: Buffer.from(secret) });
  try {
    const code = totp(user.key, target.clock.now(), totpParameters);
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (const [what, password] of [['a wrong password', `not ${user.password}${code}`], ['a wrong code', user.password + wrongCode]]) {
      const reply = await send(target, nas, user.name, password);
      if (reply.code !== PacketCode.AccessReject) throw new Error(`${target.name} answered ${what} with ${packetCodeName(reply.code)}`);
    }
  } finally {
    await nas.close();
  }
}

/** One load for both servers: each login picks the next user, types password + current code, expects Access-Accept. */
function radiusLogins(target: Target, users: BenchUser[]) {
  const lastStep = new Array<number>(users.length).fill(-1);
  let cursor = 0;
  let sockets: Nas[] = [];

  async function pick(): Promise<{ user: BenchUser; code: string }> {
    let now = target.clock.now();
    // A loop, since a timer may fire a fraction of a millisecond before Date.now() reaches the next step.
    while (stepMs - (now % stepMs) < stepEndMarginMs) {
      await new Promise((resolve) => setTimeout(resolve, stepMs - (now % stepMs) + 1));
      now = target.clock.now();
    }
    const index = cursor++ % users.length;
    let step = Math.floor(now / stepMs);
    if (lastStep[index] >= step && target.nextStep) {
      target.nextStep();
      now = target.clock.now();
      step = Math.floor(now / stepMs);
    }
    lastStep[index] = step;
    return { user: users[index], code: totp(users[index].key, now, totpParameters) };
  }

  async function login(): Promise<void> {
    const { user, code } = await pick();
    // A socket of its own for each login in flight: a reply is matched by its Identifier alone.
    const nas = sockets.pop()!;
    try {
      const reply = await send(target, nas, user.name, user.password + code);
      if (reply.code !== PacketCode.AccessAccept) {
        const message = reply.attributes.find((a) => a.type === AttributeCode.ReplyMessage)?.value.toString('utf8');
        throw new Error(`${target.name}: ${user.name} got ${packetCodeName(reply.code)}${message ? ` (${message})` : ''}`);
      }
    } finally {
      sockets.push(nas);
    }
  }

  return {
    async run(name: string, ms: number): Promise<LoadResult> {
      sockets = await Promise.all(Array.from({ length: concurrency }, () => openNas({ port: target.port, secret: Buffer.from(secret) })));
      try {
        return await measure(name, login, { concurrency, durationMs: ms });
      } finally {
        await Promise.all(sockets.map((s) => s.close()));
      }
    },
  };
}

export async function benchRadiusLogins(): Promise<Outcome> {
  const slapd = await startSlapd();
  const clock = steppingClock();
  const tessera = await startTessera('sqlite', {
    ...benchLimits,
    directory: fixtureConfig('openldap', [slapd.url]),
    radius: { port: 0, clients: [{ name: 'bench', address: '127.0.0.1', secret, passwordAndCode: true }] },
  }, { clock });
  let freeradius: FreeRadius | undefined;
  try {
    await tessera.policies.save({ appId: 'radius:bench', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} }, 0);
    const names = Array.from({ length: userCount + 1 }, (_, i) => ({
      name: `bench${String(i).padStart(4, '0')}`, password: `bench password ${i} ${randomBytes(4).toString('hex')}`,
    }));
    await slapd.modify(directoryUsersLdif(names));
    const users: BenchUser[] = [];
    for (let i = 0; i < names.length; i += concurrency) {
      users.push(...await Promise.all(names.slice(i, i + concurrency).map((u) => enrol(tessera, clock, u))));
    }
    freeradius = await startFreeRadius({
      secret,
      ldap: { url: slapd.url, bindDn: serviceDn, bindPassword: servicePassword, baseDn: fixtureConfig('openldap', [slapd.url]).baseDn },
      totpSecrets: new Map(users.map((u) => [u.name, u.secretBase32])),
    });

    const checker = users.pop()!;
    const tesseraTarget: Target = { name: 'Tessera', port: tessera.radiusAddress()!.port, clock, nextStep: clock.nextStep };
    const freeRadiusTarget: Target = { name: 'FreeRADIUS', port: freeradius.port, clock: { now: () => Date.now() } };
    await assertRefusesWrongCredentials(tesseraTarget, checker);
    await assertRefusesWrongCredentials(freeRadiusTarget, checker);
    const viaTessera = radiusLogins(tesseraTarget, users);
    const viaFreeRadius = radiusLogins(freeRadiusTarget, users);
    // Untimed: the first logins pay for JIT compilation and for opening the LDAP connection pools.
    await viaTessera.run('warm-up', 1000);
    await viaFreeRadius.run('warm-up', 1000);
    const result = await compare(
      () => viaTessera.run('Tessera RADIUS logins', durationMs),
      () => viaFreeRadius.run('FreeRADIUS 3 (rlm_ldap + rlm_totp)', durationMs),
      rounds,
    );
    if (result.b.errors > 0) console.error(freeradius.log().split('\n').filter((line) => / Auth: /.test(line)).slice(-5).join('\n'));
    return report('RADIUS password+OTP logins', 0.5, result);
  } finally {
    await freeradius?.close();
    await tessera.stop();
    await slapd.close();
  }
}
