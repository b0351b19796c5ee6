// A VPN gateway (radclient as the NAS) logs employees in: password, then "second password" / "Enter your OTP code"
// by Access-Challenge, or password and code in one field; States are single use and bound to user and NAS.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { createSqlIdentityStore } from '../../src/identity/index.ts';

const secret = 'a-shared-secret-of-32-characters!';

for (const dialect of await testDialects()) {
  describe(`RADIUS VPN login on ${dialect}`, () => {
    let tessera: RunningTessera;
    let port: number;
    before(async () => {
      tessera = await startTessera(dialect, {
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
      });
      port = tessera.radiusAddress()!.port;
      await tessera.policies.save(
        { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
    });
    after(() => tessera.stop());

    async function employee(email: string, withToken = true) {
      const account = await tessera.accounts.createByOperator({ email, password: 'a vpn passphrase', workforce: true });
      if (!withToken) return { key: '' };
      return { key: await enrolMobileToken(tessera, account.id, email) };
    }
    const login = (user: string, password: string, extra: string[] = []) =>
      radclient({
        port,
        secret,
        command: 'auth',
        attributes: [
          `User-Name = "${user}"`,
          `User-Password = "${password}"`,
          'Message-Authenticator = 0x00',
          ...extra,
        ],
      });
    const attribute = (reply: { attributes: Array<{ name: string; value: string }> }, name: string) =>
      reply.attributes.find((a) => a.name === name)?.value;

    it('asks for the "second password" on the first login and "Enter your OTP code" afterwards', async () => {
      const user = `vpn-${dialect}@example.com`;
      const { key } = await employee(user);
      const first = await login(user, 'a vpn passphrase');
      assert.equal(first.code, 'Access-Challenge');
      assert.match(attribute(first, 'Reply-Message')!, /second password/);
      const state = attribute(first, 'State')!;
      // Text, never a zero octet: ocserv (radcli) keeps State as a C string and would cut it short.
      assert.match(Buffer.from(state.slice(2), 'hex').toString('latin1'), /^[A-Za-z0-9_-]{43}$/);
      const code = oathtool(key);
      const accepted = await login(user, code, [`State = ${state}`]);
      assert.equal(accepted.code, 'Access-Accept');
      // The State is spent: answering it again is refused.
      assert.equal((await login(user, oathtool(key, Date.now() + 30_000), [`State = ${state}`])).code, 'Access-Reject');

      const second = await login(user, 'a vpn passphrase');
      assert.equal(attribute(second, 'Reply-Message'), 'Enter your OTP code');
      // The very code accepted above: asking oathtool again could give the next step's, should the step end meanwhile.
      const used = await login(user, code, [`State = ${attribute(second, 'State')}`]);
      assert.equal(used.code, 'Access-Reject');
      assert.match(attribute(used, 'Reply-Message')!, /already used/);
    });

    it('says "second password" until the first login with a code, password-only ones aside (issue 17)', async () => {
      // The README's walkthrough: the gateway answers the password alone while the policy asks for no code.
      const user = `vpn-before-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({
        email: user,
        password: 'a vpn passphrase',
        workforce: true,
      });
      const policy = { appId: 'radius:vpn', goLiveAt: null, graceSeconds: 0, groupOverrides: {} };
      await tessera.policies.save({ ...policy, otp: 'off' }, 0);
      try {
        assert.equal((await login(user, 'a vpn passphrase')).code, 'Access-Accept');
      } finally {
        await tessera.policies.save({ ...policy, otp: 'required' }, 0);
      }
      const key = await enrolMobileToken(tessera, account.id, user);
      const first = await login(user, 'a vpn passphrase');
      assert.equal(first.code, 'Access-Challenge');
      assert.match(attribute(first, 'Reply-Message')!, /second password/);
      assert.equal((await login(user, oathtool(key), [`State = ${attribute(first, 'State')}`])).code, 'Access-Accept');
      assert.equal(attribute(await login(user, 'a vpn passphrase'), 'Reply-Message'), 'Enter your OTP code');
    });

    it('refuses an account disabled here (T7): with the right password, and with a code answering a State issued before', async () => {
      const user = `vpn-left-${dialect}@example.com`;
      const { key } = await employee(user);
      const account = await tessera.store.db
        .selectFrom('accounts')
        .select('id')
        .where('email', '=', user)
        .executeTakeFirstOrThrow();
      const challenged = await login(user, 'a vpn passphrase');
      assert.equal(challenged.code, 'Access-Challenge');
      await createSqlIdentityStore(tessera.store.db).setStatus(account.id, 'disabled', Date.now());
      const answered = await login(user, oathtool(key), [`State = ${attribute(challenged, 'State')}`]);
      assert.equal(answered.code, 'Access-Reject', 'the code step sees the account disabled since the password step');
      assert.equal(attribute(answered, 'Reply-Message'), 'Your IT code or password is incorrect.');
      const again = await login(user, 'a vpn passphrase');
      assert.equal(again.code, 'Access-Reject');
      assert.equal(attribute(again, 'Reply-Message'), 'Your IT code or password is incorrect.');
    });

    it('rejects a wrong password, a State answered under another name, and a user who must register first', async () => {
      const user = `vpn2-${dialect}@example.com`;
      const { key } = await employee(user);
      const wrong = await login(user, 'not the password');
      assert.equal(wrong.code, 'Access-Reject');
      assert.match(attribute(wrong, 'Reply-Message')!, /incorrect/);
      const challenge = await login(user, 'a vpn passphrase');
      const other = `vpn3-${dialect}@example.com`;
      await employee(other);
      const stolen = await login(other, oathtool(key), [`State = ${attribute(challenge, 'State')}`]);
      assert.equal(stolen.code, 'Access-Reject');
      assert.match(attribute(stolen, 'Reply-Message')!, /took too long|Start again/);

      const newcomer = `vpn4-${dialect}@example.com`;
      await employee(newcomer, false);
      const enrol = await login(newcomer, 'a vpn passphrase');
      assert.equal(enrol.code, 'Access-Reject');
      assert.match(attribute(enrol, 'Reply-Message')!, /register it on the account page/);
    });

    it("counts wrong codes over RADIUS toward the token's lock (T13): a right password does not reset it", async () => {
      const user = `vpn5-${dialect}@example.com`;
      const { key } = await employee(user);
      const wrongCode = (now = Date.now()) =>
        String((Number(oathtool(key, now)) + 500_000) % 1_000_000).padStart(6, '0');
      const answer = async (code: string) => {
        const challenge = await login(user, 'a vpn passphrase');
        assert.equal(challenge.code, 'Access-Challenge', 'the password is still right');
        return login(user, code, [`State = ${attribute(challenge, 'State')}`]);
      };
      for (let i = 0; i < 10; i++) assert.match(attribute(await answer(wrongCode()), 'Reply-Message')!, /not right/);
      const throttled = await answer(oathtool(key));
      assert.equal(throttled.code, 'Access-Reject', 'the right code is refused while the token is throttled');
      assert.match(attribute(throttled, 'Reply-Message')!, /Too many wrong OTP codes/);
    });

    it("refuses a shop customer's right password: the VPN is for staff, and the answer is the same as a wrong one", async () => {
      const customer = `shopper-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: customer, password: 'a vpn passphrase' });
      const refused = await login(customer, 'a vpn passphrase');
      assert.equal(refused.code, 'Access-Reject');
      assert.equal(
        attribute(refused, 'Reply-Message'),
        attribute(await login(customer, 'not the password'), 'Reply-Message'),
      );
      const reasons = await tessera.store.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'radius.reject')
        .execute();
      assert.ok(reasons.some((r) => String(r.details).includes('radius.not_workforce')));
    });

    it('tells a gateway set to CHAP, MS-CHAPv2 or EAP that it must send PAP, and audits the method for its administrator', async () => {
      const user = `vpn-chap-${dialect}@example.com`;
      await employee(user);
      const send = (attributes: string[]) =>
        radclient({
          port,
          secret,
          command: 'auth',
          attributes: [`User-Name = "${user}"`, 'Message-Authenticator = 0x00', ...attributes],
        });
      const methods = {
        // radclient turns a CHAP-Password in clear into the CHAP response (RFC 1994), as a gateway would.
        CHAP: ['CHAP-Password = "a vpn passphrase"'],
        'MS-CHAP': [
          'MS-CHAP-Challenge = 0x00112233445566778899aabbccddeeff',
          `MS-CHAP2-Response = 0x0100${'11'.repeat(16)}${'00'.repeat(8)}${'22'.repeat(24)}`,
        ],
        EAP: [`EAP-Message = 0x0201001a01${Buffer.from(user).toString('hex').slice(0, 42)}`],
      };
      for (const [method, attributes] of Object.entries(methods)) {
        const reply = await send(attributes);
        assert.equal(reply.code, 'Access-Reject', method);
        assert.equal(
          attribute(reply, 'Reply-Message'),
          'This VPN gateway is not set up for OTP codes (it must send passwords with PAP). Contact IT support.',
          method,
        );
      }
      const rows = await tessera.store.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'radius.reject')
        .orderBy('id', 'desc')
        .limit(3)
        .execute();
      assert.deepEqual(
        rows.map((r) => JSON.parse(r.details)).reverse(),
        Object.keys(methods).map((method) => ({ client: 'vpn', user, reason: 'radius.pap_required', method })),
      );
      // Neither name nor password: refused as incorrect, and the audit says what was missing.
      assert.equal(
        (await radclient({ port, secret, command: 'auth', attributes: ['Message-Authenticator = 0x00'] })).code,
        'Access-Reject',
      );
      const [missing] = await tessera.store.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'radius.reject')
        .orderBy('id', 'desc')
        .limit(1)
        .execute();
      assert.equal(JSON.parse(missing.details).reason, 'radius.no_user_name');
    });

    it('audits every RADIUS outcome with the NAS address', async () => {
      const audit = await tessera.store.db
        .selectFrom('audit_events')
        .select(['action', 'source'])
        .where('action', 'like', 'radius.%')
        .execute();
      assert.ok(audit.length >= 5);
      assert.deepEqual([...new Set(audit.map((a) => a.source))], ['127.0.0.1']);
    });
  });
}

for (const dialect of await testDialects()) {
  describe(`RADIUS password guessing on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, {
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
        limits: { signInPerAccount: { limit: 3, windowSeconds: 600 } },
      });
    });
    after(() => tessera.stop());

    it('throttles an account after repeated wrong passwords, with its own message; successes do not count', async () => {
      const user = `guess-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: user, password: 'a vpn passphrase', workforce: true });
      const send = (password: string) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          attributes: [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'],
        });
      for (let i = 0; i < 5; i++)
        assert.equal((await send('a vpn passphrase')).code, 'Access-Accept', 'good logins are not counted');
      for (let i = 0; i < 3; i++)
        assert.match((await send(`guess ${i}`)).attributes.find((a) => a.name === 'Reply-Message')!.value, /incorrect/);
      const throttled = await send('a vpn passphrase');
      assert.equal(throttled.code, 'Access-Reject', 'the right password waits out the throttle too');
      assert.match(throttled.attributes.find((a) => a.name === 'Reply-Message')!.value, /Too many wrong passwords/);
    });
  });
}

for (const dialect of await testDialects()) {
  describe(`RADIUS passOTP: password and code in one field on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, {
        radius: { port: 0, clients: [{ name: 'old-vpn', address: '127.0.0.0/8', secret, passwordAndCode: true }] },
      });
      await tessera.policies.save(
        { appId: 'radius:old-vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
    });
    after(() => tessera.stop());

    it('accepts password followed by the code, and rejects a wrong code without a challenge', async () => {
      const account = await tessera.accounts.createByOperator({
        email: 'passotp@example.com',
        password: 'a vpn passphrase',
        workforce: true,
      });
      const key = await enrolMobileToken(tessera, account.id, 'passotp');
      const send = (password: string) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          attributes: [
            'User-Name = "passotp@example.com"',
            `User-Password = "${password}"`,
            'Message-Authenticator = 0x00',
          ],
        });
      assert.equal(
        (await send(`a vpn passphrase${oathtool(key) === '000000' ? '111111' : '000000'}`)).code,
        'Access-Reject',
      );
      assert.equal((await send(`a vpn passphrase${oathtool(key)}`)).code, 'Access-Accept');
      // Staff kept in Tessera show their password step like directory staff do: the helpdesk sees which step passed.
      const [accept] = await tessera.audit.list({
        who: { name: 'passotp@example.com', accountId: account.id },
        action: 'radius.accept',
        limit: 1,
      });
      const steps = accept.details.steps as Array<{ action: string; outcome: string; details?: object }>;
      assert.deepEqual(
        steps.map((step) => `${step.action}:${step.outcome}`),
        ['account.sign_in:success', 'otp.validate:success'],
      );
      assert.deepEqual(steps[0].details, { source: 'password' });
    });
  });

  describe(`RADIUS with the directory: IT code and directory password, reply attributes by group on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(dialect, {
        directory: {
          ...fixtureConfig('openldap', [slapd.url]),
          passwordChangeUrl: 'https://password.example.org/change',
        },
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
        radiusGroupAttributes: {
          // Fortinet-Group-Name and Cisco-AVPair: the vendor attributes gateways map groups by. The directory spells
          // the group "vpn-users": group names compare without case, as the directory compares them.
          'VPN-Users': [
            { name: 'Class', value: 'staff-vpn' },
            { name: 'Filter-Id', value: 'full-access' },
            { vendor: 12356, type: 1, value: 'staff-vpn' },
            { vendor: 9, type: 1, value: 'ip:inacl#1=permit ip any any' },
          ],
          vendors: [{ name: 'Filter-Id', value: 'vendor-only' }],
        },
      });
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    it("accepts alice with her groups' attributes, tells a directory outage apart, and rejects a wrong password", async () => {
      const send = (user: string, password: string) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          attributes: [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'],
        });
      const accepted = await send('CORP\\alice', 'correct horse battery');
      assert.equal(accepted.code, 'Access-Accept');
      assert.deepEqual(
        accepted.attributes
          .filter((a) => ['Class', 'Filter-Id', 'Fortinet-Group-Name', 'Cisco-AVPair'].includes(a.name))
          .map((a) => `${a.name}=${a.value}`)
          .sort(),
        [
          'Class=0x73746166662d76706e',
          'Filter-Id=full-access',
          'Fortinet-Group-Name=staff-vpn',
          'Cisco-AVPair=ip:inacl#1=permit ip any any',
        ].sort(),
        'radclient reads the vendor attributes by its own dictionary',
      );
      // One audit row for the login, for the helpdesk to read: the directory sign-in is its step, not a row of its own.
      const rows = await tessera.store.db
        .selectFrom('audit_events')
        .select(['action', 'source', 'details'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => ({ ...r, details: JSON.parse(r.details) })),
        [
          {
            action: 'radius.accept',
            source: '127.0.0.1',
            // The name as typed at the gateway: how the helpdesk finds a login (`tessera audit --user`).
            details: {
              client: 'vpn',
              user: 'CORP\\alice',
              factors: ['pwd'],
              steps: [
                { action: 'account.sign_in', outcome: 'success', details: { source: 'directory', created: true } },
              ],
            },
          },
        ],
      );
      const wrong = await send('alice', 'not her password');
      assert.equal(wrong.code, 'Access-Reject');
      await slapd.stop();
      const down = await send('alice', 'correct horse battery');
      assert.equal(down.code, 'Access-Reject');
      assert.match(down.attributes.find((a) => a.name === 'Reply-Message')!.value, /cannot be reached/);
      await slapd.restart();
    });

    it('tells a disabled account, an expired account and an expired password apart once the password is right; a wrong one learns nothing', async () => {
      const send = (user: string, password: string) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          attributes: [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'],
        });
      const replyMessage = (reply: Awaited<ReturnType<typeof send>>) =>
        reply.attributes.find((a) => a.name === 'Reply-Message')?.value;
      const from =
        (
          await tessera.store.db
            .selectFrom('audit_events')
            .select((eb) => eb.fn.max('id').as('id'))
            .executeTakeFirstOrThrow()
        ).id ?? 0;
      const cases = [
        {
          user: 'carol',
          password: 'carol password 1',
          message: /account is disabled in the company directory/,
          reason: 'directory.account_disabled',
        },
        {
          user: 'dave',
          password: 'dave password 1',
          message: /account has expired/,
          reason: 'directory.account_expired',
        },
        {
          user: 'CORP\\erin',
          password: 'erin password 1',
          message:
            /^Your directory password has expired\. Change it at https:\/\/password\.example\.org\/change, then connect again\.$/,
          reason: 'directory.password_expired',
        },
      ];
      for (const c of cases) {
        const right = await send(c.user, c.password);
        assert.equal(right.code, 'Access-Reject', c.user);
        assert.match(replyMessage(right) ?? '', c.message, c.user);
        const wrong = await send(c.user, `not ${c.password}`);
        assert.equal(wrong.code, 'Access-Reject', c.user);
        assert.equal(
          replyMessage(wrong),
          'Your IT code or password is incorrect.',
          `${c.user}: a wrong password reveals nothing about the account`,
        );
      }
      const rows = await tessera.store.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('id', '>', Number(from))
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => `${r.action} ${JSON.parse(r.details).reason}`),
        cases.flatMap((c) => [`radius.reject ${c.reason}`, 'radius.reject directory.wrong_password']),
      );
    });
  });
  describe(`RADIUS gateway for some directory groups only on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(dialect, {
        directory: fixtureConfig('openldap', [slapd.url]),
        radius: {
          port: 0,
          clients: [{ name: 'vpn-staff', address: '127.0.0.1', secret, allowedGroups: ['VPN-Users'] }],
        },
      });
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    it('lets members of an allowed group in, tells others with the right password they may not, and a wrong password nothing', async () => {
      const send = (user: string, password: string) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          attributes: [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'],
        });
      const message = (reply: Awaited<ReturnType<typeof send>>) =>
        reply.attributes.find((a) => a.name === 'Reply-Message')?.value;
      assert.equal(
        (await send('alice', 'correct horse battery')).code,
        'Access-Accept',
        'alice is in vpn-users, which the directory compares without case',
      );
      const bob = await send('bob', 'bob password 1');
      assert.equal(bob.code, 'Access-Reject');
      assert.equal(message(bob), 'Your account may not use this VPN. Ask IT support for access.');
      assert.equal(
        message(await send('bob', 'not bob password')),
        'Your IT code or password is incorrect.',
        'group membership is told only after the password',
      );
      const rows = await tessera.store.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', '=', 'radius.reject')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => JSON.parse(r.details).reason),
        ['radius.group_not_allowed', 'directory.wrong_password'],
      );
    });
  });
}
