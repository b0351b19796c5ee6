// VPN logins over RADIUS with password and one-time code in one User-Password (passOTP): Tessera against
// FreeRADIUS 3 (rlm_ldap + rlm_totp) for the same directory users with the same TOTP secrets, driven by the same
// NAS-side load generator (radius-load.ts, in a worker thread of its own). Both check the directory password by
// binding as the user and the code against the same secret; only Tessera also refuses a code used before, counts failures toward a
// lock and writes an audit trail (rlm_totp in FreeRADIUS 3.2.1 keeps no state at all), so the ratio prices those too.
// A third side, the same login written straight on node:dgram and ldapts with no database (radius-bare.ts), shows how
// much of the gap is Node.js itself on this machine and how much is Tessera's own work.
import { createSecretKey, randomBytes } from 'node:crypto';
import { PacketCode, packetCodeName } from '../src/radius/index.ts';
import { openNas } from '../src/radius/nas.ts';
import { base32Decode, totp } from '../src/otp/index.ts';
import { startTessera, type RunningTessera } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig, serviceDn, servicePassword } from '../test/support/slapd.ts';
import { startFreeRadius, type FreeRadius } from './freeradius.ts';
import {
  compareSides,
  benchLimits,
  cpuPerOperation,
  metered,
  report,
  threadCpuSeconds,
  type LoadResult,
  type Outcome,
} from './load.ts';
import { send, stepMs, steppingClock, totpParameters, type BenchUser, type RadiusLoadOptions } from './radius-load.ts';
import { startWorkerLoad, type WorkerLoad } from './worker-load.ts';
import { startBareRadius, type BareRadius } from './radius-bare.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const concurrency = 8;
// Enough that a cycle through them takes Tessera a few seconds, so its clock moves a step only now and then.
const userCount = Number(process.env.BENCH_RADIUS_USERS ?? 1000);
export const secret = 'bench-radius-shared-secret-32-chars!';

export function directoryUsersLdif(users: Array<{ name: string; password: string }>): string {
  return users
    .map((u) =>
      [
        `dn: uid=${u.name},ou=people,dc=example,dc=org`,
        'changetype: add',
        'objectClass: inetOrgPerson',
        `uid: ${u.name}`,
        `cn: Bench ${u.name}`,
        'sn: Bench',
        `userPassword: ${u.password}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** The gateway side of a RADIUS load, in a worker thread (radius-load.ts), as every RADIUS line drives it. */
export function startRadiusLoad(options: RadiusLoadOptions): Promise<WorkerLoad> {
  return startWorkerLoad(new URL('./radius-load.ts', import.meta.url), 'radiusLoad', options);
}

/** Accounts are created at the first directory sign-in; then each gets an active TOTP token. */
export async function enrol(
  tessera: Pick<RunningTessera, 'workforce' | 'otp'>,
  clock: { now(): number },
  user: Omit<BenchUser, 'secretBase32'>,
): Promise<BenchUser> {
  const account = await tessera.workforce!.signIn(user.name, user.password);
  const enrolment = await tessera.otp.beginEnrolment(account.id, user.name, 'mobile', { proof: 'registration' });
  const key = createSecretKey(base32Decode(enrolment.secretBase32));
  // The previous step's code, so that the current step is still unused when the bench starts.
  await tessera.otp.confirmEnrolment(account.id, enrolment.tokenId, totp(key, clock.now() - stepMs, totpParameters), {
    proof: 'registration',
  });
  return { ...user, secretBase32: enrolment.secretBase32 };
}

/**
 * An Access-Accept proves something only from a server that refuses a wrong password and a wrong code (rlm_totp,
 * for one, answers "noop" for a user without a secret, which would let the password alone through). Checked with a
 * user outside the load, whose counted failures cannot slow a measured login down.
 */
export async function assertRefusesWrongCredentials(
  target: { name: string; port: number; now(): number },
  user: BenchUser,
): Promise<void> {
  const nas = await openNas({ port: target.port, secret: Buffer.from(secret) });
  try {
    const code = totp(createSecretKey(base32Decode(user.secretBase32)), target.now(), totpParameters);
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (const [what, password] of [
      ['a wrong password', `not ${user.password}${code}`],
      ['a wrong code', user.password + wrongCode],
    ]) {
      const reply = await send(nas, secret, user.name, password);
      if (reply.code !== PacketCode.AccessReject)
        throw new Error(`${target.name} answered ${what} with ${packetCodeName(reply.code)}`);
    }
  } finally {
    await nas.close();
  }
}

export async function benchRadiusLogins(): Promise<Outcome> {
  const slapd = await startSlapd({ logOperations: false });
  const clock = steppingClock();
  const tessera = await startTessera(
    'sqlite',
    {
      ...benchLimits,
      directory: fixtureConfig('openldap', [slapd.url]),
      radius: { port: 0, clients: [{ name: 'bench', address: '127.0.0.1', secret, passwordAndCode: true }] },
    },
    { clock },
  );
  let freeradius: FreeRadius | undefined;
  let bare: BareRadius | undefined;
  let viaTessera: WorkerLoad | undefined;
  let viaFreeRadius: WorkerLoad | undefined;
  let viaBare: WorkerLoad | undefined;
  try {
    await tessera.policies.save(
      { appId: 'radius:bench', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
      0,
    );
    const names = Array.from({ length: userCount + 1 }, (_, i) => ({
      name: `bench${String(i).padStart(4, '0')}`,
      password: `bench password ${i} ${randomBytes(4).toString('hex')}`,
    }));
    await slapd.modify(directoryUsersLdif(names));
    const users: BenchUser[] = [];
    for (let i = 0; i < names.length; i += concurrency) {
      users.push(...(await Promise.all(names.slice(i, i + concurrency).map((u) => enrol(tessera, clock, u)))));
    }
    freeradius = await startFreeRadius({
      secret,
      ldap: {
        url: slapd.url,
        bindDn: serviceDn,
        bindPassword: servicePassword,
        baseDn: fixtureConfig('openldap', [slapd.url]).baseDn,
      },
      totpSecrets: new Map(users.map((u) => [u.name, u.secretBase32])),
    });

    const directory = fixtureConfig('openldap', [slapd.url]);
    bare = await startBareRadius({
      secret,
      totpSecrets: new Map(users.map((u) => [u.name, u.secretBase32])),
      ldap: {
        url: slapd.url,
        bindDn: serviceDn,
        bindPassword: servicePassword,
        baseDn: directory.baseDn,
        groupBaseDn: directory.groupBaseDn!,
      },
    });

    const checker = users.pop()!;
    await assertRefusesWrongCredentials(
      { name: 'Tessera', port: tessera.radiusAddress()!.port, now: clock.now },
      checker,
    );
    await assertRefusesWrongCredentials({ name: 'FreeRADIUS', port: freeradius.port, now: Date.now }, checker);
    await assertRefusesWrongCredentials({ name: 'bare Node.js', port: bare.port, now: Date.now }, checker);
    const load = (port: number, steps?: SharedArrayBuffer) =>
      startRadiusLoad({
        port,
        secret,
        users,
        concurrency,
        durationMs,
        steps,
      });
    viaTessera = await load(tessera.radiusAddress()!.port, clock.shared);
    viaFreeRadius = await load(freeradius.port);
    viaBare = await load(bare.port);
    // Untimed: the first logins pay for JIT compilation and for opening the LDAP connection pools.
    await viaTessera.round('warm-up');
    await viaFreeRadius.round('warm-up');
    await viaBare.round('warm-up');
    // Where a login's CPU goes: Tessera's own thread (this one), and slapd, which serves both sides.
    const slapdCpu = () => slapd.cpuSeconds();
    const tesseraSide = metered(() => viaTessera!.round('Tessera RADIUS logins'), {
      thread: threadCpuSeconds,
      slapd: slapdCpu,
    });
    const freeRadiusSide = metered(() => viaFreeRadius!.round('FreeRADIUS 3 (rlm_ldap + rlm_totp)'), {
      slapd: slapdCpu,
    });
    const bareSide = metered(() => viaBare!.round('bare Node.js'), { thread: threadCpuSeconds });
    const sides = await compareSides([tesseraSide.round, freeRadiusSide.round, bareSide.round], rounds);
    const [viaT, viaF, viaB] = sides.results;
    const result = { a: viaT, b: viaF, ratio: sides.ratio(0, 1) };
    if (result.b.errors > 0)
      console.error(
        freeradius
          .log()
          .split('\n')
          .filter((line) => / Auth: /.test(line))
          .slice(-5)
          .join('\n'),
      );
    const outcome = report('RADIUS password+OTP logins', 0.5, result);
    const [t, f] = [tesseraSide.totals.spent, freeRadiusSide.totals.spent];
    const viaTesseraCpu = cpuPerOperation(
      result.a,
      { "Tessera's thread": t.thread, 'slapd (search, bind, groups)': t.slapd },
      'the rest',
    );
    const viaFreeRadiusCpu = cpuPerOperation(result.b, { 'slapd (search, bind)': f.slapd }, 'FreeRADIUS and the rest');
    console.log(
      `  machine CPU per login: Tessera's side ${viaTesseraCpu.text}; FreeRADIUS's side ${viaFreeRadiusCpu.text}`,
    );
    console.log(
      `  at equal CPU per login the ratio would be ${(viaFreeRadiusCpu.total / viaTesseraCpu.total).toFixed(2)}; the machine was ${viaTesseraCpu.idle} idle during Tessera's rounds, ${viaFreeRadiusCpu.idle} during FreeRADIUS's`,
    );
    const threadMicros = (seconds: number, r: LoadResult) => Math.round((1e6 * seconds) / r.operations);
    console.log(
      `  the floor: the same login on bare Node.js (no database, no audit) ${viaB.perSecond.toFixed(1)}/s, ${sides.ratio(2, 1).toFixed(2)} of FreeRADIUS; Tessera does ${sides.ratio(0, 2).toFixed(2)} of it, its thread spending ${threadMicros(t.thread, viaT)} µs per login against ${threadMicros(bareSide.totals.spent.thread, viaB)} µs`,
    );
    return outcome;
  } finally {
    await viaTessera?.close();
    await viaFreeRadius?.close();
    await viaBare?.close();
    await freeradius?.close();
    await bare?.close();
    await tessera.stop();
    await slapd.close();
  }
}
