// The registration flow under bad and hostile input, against a real slapd and an SMPP SMS centre: wrong employee IDs
// (and the case and space variants the directory treats as equal), guessing SMS and registration codes (the flow
// dies after 5 wrong answers; parallel guesses get no more), a code from another person's flow, no mobile number,
// a disabled account, SMS limits per person (429 with Retry-After), forged cookies and CSRF. Then the HTTP SMS
// provider end to end, with its signed delivery reports.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { createAgent, hiddenField, startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { startSmsc, type Smsc } from '../support/smsc.ts';
import { startSmsApi, type SmsApi } from '../support/sms-api.ts';
import { oathtool } from '../support/otp.ts';

const smppAccount = { systemId: 'tessera', password: 'secret1', sourceAddr: 'Tessera' };
const hint = 'Your employee ID is in your profile in Workday, on the intranet.';
const password = 'registration test passphrase';

/** Adds a person to the directory: an employee ID and, unless null, a mobile number written the national way. */
async function addPerson(slapd: Slapd, uid: string, employeeId: string, mobile: string | null, extra = '') {
  await slapd.modify(`dn: uid=${uid},ou=people,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
uid: ${uid}
cn: ${uid}
sn: ${uid}
mail: ${uid}@example.org
employeeNumber: ${employeeId}
${mobile ? `mobile: ${mobile}\n` : ''}${extra}userPassword: ${password}
`);
}

const smsCode = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? assert.fail(`no code in "${text}"`);

/** A person's browser going through the registration pages, as fetch with a cookie jar. */
function registrant(tessera: RunningTessera) {
  const agent = createAgent();
  let page = '';
  const base = `${tessera.url}/otp/register`;
  const post = async (path: string, fields: Record<string, string>) => {
    const response = await agent.postForm(`${base}${path}`, { csrf: hiddenField(page, 'csrf'), ...fields });
    const location = response.headers.get('location');
    if (location) {
      const next = await agent.request(new URL(location, base).toString());
      page = await next.text();
      return { status: response.status, next: new URL(location, base).pathname, page, response };
    }
    page = await response.text();
    return { status: response.status, next: undefined, page, response };
  };
  return {
    agent,
    get page() {
      return page;
    },
    post,
    async start(name: string, pass = password) {
      page = await (await agent.request(base)).text();
      return post('', { name, password: pass });
    },
    /** Password and employee ID: at the code step. */
    async toCode(name: string, employeeId: string) {
      assert.equal((await this.start(name)).next, '/otp/register/employee-id');
      const step = await post('/employee-id', { employee_id: employeeId });
      assert.equal(step.next, '/otp/register/code', step.page);
      return step;
    },
  };
}

for (const dialect of await testDialects()) {
  describe(`OTP registration under bad input on ${dialect}`, () => {
    let slapd: Slapd;
    let smsc: Smsc;
    let tessera: RunningTessera;
    before(async () => {
      slapd = await startSlapd();
      smsc = await startSmsc(smppAccount);
      tessera = await startTessera(dialect, {
        directory: { ...fixtureConfig('openldap', [slapd.url]), phoneRegion: 'RO' },
        sms: {
          provider: 'smpp',
          smpp: { url: smsc.url, ...smppAccount },
          pollMs: 50,
          perAccount: { limit: 3, windowSeconds: 3600 },
        },
        registration: { employeeIdHint: hint, guessesPerAccount: { limit: 8, windowSeconds: 3600 } },
      });
    });
    after(async () => {
      await tessera?.stop();
      await smsc?.close();
      await slapd?.close();
    });
    const smsTo = (msisdn: string) => smsc.waitFor((s) => s.to === msisdn);
    const smsCount = (msisdn: string) => smsc.received.filter((s) => s.to === msisdn).length;

    it('refuses a wrong employee ID with the configured hint, never the right one; case and spaces do not matter', async () => {
      await addPerson(slapd, 'emp1', 'E2001', '0721 000 001');
      const person = registrant(tessera);
      await person.start('emp1');
      for (const wrong of ['E2002', 'E200', '', 'E2001)(uid=*']) {
        const refused = await person.post('/employee-id', { employee_id: wrong });
        assert.equal(refused.status, 400);
        assert.match(
          refused.page,
          /The employee ID does not match our records\. Your employee ID is in your profile in Workday/,
        );
        assert.ok(!refused.page.includes('E2001'), 'the right ID is never shown');
      }
      assert.equal(smsCount('40721000001'), 0, 'no SMS before the employee ID matches');
      // The fifth wrong answer ends the flow; after it even the right one starts again from the password.
      const csrf = hiddenField(person.page, 'csrf');
      const fifth = await person.post('/employee-id', { employee_id: '*' });
      assert.equal(fifth.status, 400);
      assert.match(fifth.page, /This registration has ended or expired/);
      const over = await person.agent.postForm(`${tessera.url}/otp/register/employee-id`, {
        csrf,
        employee_id: 'E2001',
      });
      assert.equal(over.status, 400);
      assert.match(await over.text(), /This registration has ended or expired/);

      const again = registrant(tessera);
      await again.start('emp1');
      const passed = await again.post('/employee-id', { employee_id: '\te2001 ' });
      assert.equal(passed.next, '/otp/register/code');
      assert.match(passed.page, /\+40•+001/);
      await smsTo('40721000001');
    });

    it('ends the flow after 5 wrong SMS codes; the right code does not open it afterwards', async () => {
      await addPerson(slapd, 'emp2', 'E2002', '0721 000 002');
      const person = registrant(tessera);
      await person.toCode('emp2', 'E2002');
      const code = smsCode((await smsTo('40721000002')).text);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 4; i++) {
        const refused = await person.post('/code', { code: wrong });
        assert.equal(refused.status, 400);
        assert.match(refused.page, /That code is not right, or it has expired or been used/);
      }
      const csrf = hiddenField(person.page, 'csrf');
      const fifth = await person.post('/code', { code: wrong });
      assert.match(fifth.page, /This registration has ended or expired/);
      const late = await person.agent.postForm(`${tessera.url}/otp/register/code`, { csrf, code });
      assert.equal(late.status, 400);
      assert.match(await late.text(), /This registration has ended or expired/);
    });

    it("gives 20 parallel guesses no more than 5 tries, and refuses another person's SMS code", async () => {
      await addPerson(slapd, 'emp3', 'E2003', '0721 000 003');
      await addPerson(slapd, 'emp4', 'E2004', '0721 000 004');
      const other = registrant(tessera);
      await other.toCode('emp4', 'E2004');
      const othersCode = smsCode((await smsTo('40721000004')).text);

      const person = registrant(tessera);
      await person.toCode('emp3', 'E2003');
      const code = smsCode((await smsTo('40721000003')).text);
      assert.equal((await person.post('/code', { code: othersCode })).status, 400, "another person's code");
      const csrf = hiddenField(person.page, 'csrf');
      const guesses = Array.from({ length: 20 }, (_, i) => String(100000 + i)).filter((g) => g !== code);
      const pages = await Promise.all(
        guesses.map(async (guess) => {
          const response = await person.agent.postForm(`${tessera.url}/otp/register/code`, { csrf, code: guess });
          return response.text();
        }),
      );
      const compared = pages.filter((p) => /That code is not right/.test(p)).length;
      assert.ok(compared <= 4, `${compared} guesses were compared after one wrong answer`);
      assert.match((await person.post('/code', { code })).page, /This registration has ended or expired/);
      // The other person's flow is untouched by all of this.
      assert.equal((await other.post('/code', { code: othersCode })).next, '/otp/register/app');
    });

    it('counts wrong answers per person across flows: a new flow gives no fresh guesses (429, Retry-After)', async () => {
      await addPerson(slapd, 'emp5', 'E2005', null);
      let refused;
      for (let flow = 0; flow < 3; flow++) {
        const person = registrant(tessera);
        await person.start('emp5');
        for (let i = 0; i < 5; i++) {
          refused = await person.post('/employee-id', { employee_id: 'nope' });
          if (refused.status === 429) break;
        }
        if (refused?.status === 429) break;
      }
      assert.equal(refused?.status, 429);
      assert.ok(Number(refused?.response.headers.get('retry-after')) > 0);
      assert.match(refused!.page, /Too many attempts/);
    });

    it('tells a person without a mobile number to ask IT support, and takes the helpdesk code instead', async () => {
      await addPerson(slapd, 'emp6', 'E2006', null);
      const person = registrant(tessera);
      const step = await person.toCode('emp6', 'E2006');
      assert.match(step.page, /The company directory has no mobile number for you.*Ask your local IT support team/s);
      const { code } = await tessera.admin({ kind: 'local', actor: 'helpdesk-1' }).registrationCodes.issue('emp6');
      // As read over the phone: lower case, spaces instead of dashes.
      const typed = code.toLowerCase().replaceAll('-', ' ');
      const enrol = await person.post('/code', { code: typed });
      assert.equal(enrol.next, '/otp/register/app');
      const key = /id="otp-key"[^>]*>([A-Z2-7 ]+)</.exec(enrol.page)![1].replace(/ /g, '');
      const done = await person.post('/app', { code: oathtool(key) });
      assert.match(done.page, /Your OTP app is registered/);
      // The code was for one registration only.
      const second = registrant(tessera);
      await second.toCode('emp6', 'E2006');
      assert.equal((await second.post('/code', { code })).status, 400);
    });

    it('answers a disabled account only after its password, an unknown name like a wrong password', async () => {
      await addPerson(slapd, 'emp7', 'E2007', '0721 000 007', 'pwdAccountLockedTime: 000001010000Z\n');
      const disabled = await registrant(tessera).start('emp7');
      assert.match(disabled.page, /Your account is disabled in the company directory/);
      const wrongPassword = await registrant(tessera).start('emp7', 'not the password');
      const unknown = await registrant(tessera).start('nobody-here', 'not the password');
      assert.equal(wrongPassword.status, unknown.status);
      const message = (page: string) => /<div class="summary"[\s\S]*?<\/div>/.exec(page)?.[0];
      assert.equal(message(wrongPassword.page), message(unknown.page));
      assert.equal(smsCount('40721000007'), 0);
    });

    it('limits SMS per person (429 with Retry-After) and never sends to a number the person types', async () => {
      await addPerson(slapd, 'emp8', 'E2008', '0721 000 008');
      const person = registrant(tessera);
      await person.toCode('emp8', 'E2008');
      await person.post('/code/resend', { to: '+40799999999' });
      const third = await person.post('/code/resend', {});
      assert.equal(third.next, '/otp/register/code');
      const fourth = await person.post('/code/resend', {});
      assert.equal(fourth.status, 429);
      assert.ok(Number(fourth.response.headers.get('retry-after')) > 0);
      assert.match(fourth.page, /name="code"/, 'still at the code step');
      // A new registration is no way around it: its employee ID passes, its SMS is refused, the page says so.
      const another = registrant(tessera);
      await another.start('emp8');
      const refused = await another.post('/employee-id', { employee_id: 'E2008' });
      assert.equal(refused.status, 429);
      assert.match(refused.page, /Too many attempts/);
      assert.match(refused.page, /SMS code or registration code/);
      await smsc.waitFor((s) => s.to === '40721000008' && smsCount('40721000008') === 3);
      assert.equal(smsc.received.filter((s) => s.to === '40799999999').length, 0);
      // Only the latest SMS code works.
      const codes = smsc.received.filter((s) => s.to === '40721000008').map((s) => smsCode(s.text));
      assert.equal((await person.post('/code', { code: codes[0] })).status, codes[0] === codes[2] ? 303 : 400);
      assert.equal((await person.post('/code', { code: codes[2] })).next, '/otp/register/app');
    });

    it('refuses a forged flow cookie, a missing CSRF token and a later step called directly', async () => {
      const stranger = createAgent();
      stranger.cookies.set('tessera_registration', 'A'.repeat(32));
      const direct = await stranger.request(`${tessera.url}/otp/register/app`);
      assert.equal(direct.status, 303);
      assert.equal(direct.headers.get('location'), '/otp/register');
      const forged = await stranger.postForm(`${tessera.url}/otp/register/code`, { csrf: 'x', code: '123456' });
      assert.equal(forged.status, 400);
      await addPerson(slapd, 'emp9', 'E2009', '0721 000 009');
      const person = registrant(tessera);
      await person.start('emp9');
      const noCsrf = await person.agent.postForm(`${tessera.url}/otp/register/employee-id`, { employee_id: 'E2009' });
      assert.equal(noCsrf.status, 403);
      // The code step before the employee ID: the flow is not there yet.
      const early = await person.post('/code', { code: '123456' });
      assert.equal(early.status, 400);
    });
  });

  describe(`OTP registration with the HTTP SMS provider on ${dialect}`, () => {
    let slapd: Slapd;
    let api: SmsApi;
    let tessera: RunningTessera;
    before(async () => {
      slapd = await startSlapd();
      api = await startSmsApi({ accountId: 'AC0123', authToken: 'token-1' });
      tessera = await startTessera(dialect, {
        directory: { ...fixtureConfig('openldap', [slapd.url]), phoneRegion: 'RO' },
        sms: {
          provider: 'http',
          http: { url: api.url, accountId: 'AC0123', authToken: 'token-1', from: 'Tessera', statusCallbacks: true },
          pollMs: 50,
        },
      });
    });
    after(async () => {
      await tessera?.stop();
      await api?.close();
      await slapd?.close();
    });

    it('sends the code through the API, and takes only signed delivery reports', async () => {
      await addPerson(slapd, 'sms1', 'E3001', '0721 000 101');
      const person = registrant(tessera);
      await person.toCode('sms1', 'E3001');
      const until = Date.now() + 10_000;
      while (api.received.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      const [sent] = api.received;
      assert.equal(sent.form.To, '+40721000101');
      assert.equal(sent.form.StatusCallback, `${tessera.url}/sms/status`);
      assert.equal(await api.callback(sent.sid, 'delivered', { badSignature: true }), 403);
      const [row] = await tessera.store.db.selectFrom('sms_outbox').select(['status', 'text']).execute();
      assert.deepEqual({ ...row }, { status: 'sent', text: '' }, 'the code is not kept in clear once sent');
      assert.equal(await api.callback(sent.sid, 'delivered'), 204);
      const delivered = await tessera.store.db.selectFrom('sms_outbox').select('status').executeTakeFirst();
      assert.equal(delivered?.status, 'delivered');
      assert.equal((await person.post('/code', { code: smsCode(sent.form.Body) })).next, '/otp/register/app');
    });
  });
}
