// The registration flow's rules on a real store, both databases, with the time set by hand: codes expire (SMS after
// 10 minutes, helpdesk codes after 24 hours, the flow after 30 minutes), a helpdesk code is single use and the
// person's own, a new one replaces the earlier one, and the code step of one person never opens with another's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { testDialects } from '../../test/support/databases.ts';
import { otpWorld } from '../../test/support/otp-world.ts';
import { cryptoRandom } from '../clock/index.ts';
import { createSmsOutbox, createSqlSmsOutboxStore } from '../delivery/index.ts';
import type { Account } from '../identity/index.ts';
import { createRateLimiter, createSqlCounterStore } from '../ratelimit/index.ts';
import { createRegistration, createSqlRegistrationStore } from './index.ts';

const minute = 60_000;
const source = { ip: '192.0.2.10' };

for (const dialect of await testDialects()) {
  describe(`the registration flow on ${dialect}`, () => {
    const world = otpWorld(dialect);
    const people = new Map<string, { id: string; employeeId: string; mobile: string | null }>();

    function registration(smsLimits: { perAccount?: number; perNumber?: number; perSource?: number } = {}) {
      const db = world.nodes[0].db;
      const sms = createSmsOutbox({
        store: createSqlSmsOutboxStore(db),
        clock: world.clock,
        gateway: null,
        pollMs: 1000,
        maxAttempts: 3,
        logger: pino({ level: 'silent' }),
      });
      const byId = (id: string) => [...people.values()].find((p) => p.id === id)!;
      const limit = { limit: 100, windowSeconds: 3600 };
      const service = createRegistration({
        store: createSqlRegistrationStore(db),
        clock: world.clock,
        random: cryptoRandom,
        codePepper: Buffer.alloc(32, 7),
        policy: { flowTtlSeconds: 1800, maxWrongAnswers: 5, helpdeskCodeTtlSeconds: 86_400, smsCodeTtlSeconds: 600 },
        async firstFactor({ name }) {
          const person = people.get(String(name));
          if (!person) throw Object.assign(new Error('wrong'), { code: 'directory.wrong_password' });
          return { id: person.id, kind: 'workforce' } as Account;
        },
        isDirectoryName: (name) => !name.includes('@'),
        directory: {
          employeeIdMatches: async (id, typed) => byId(id).employeeId === typed.trim().toUpperCase(),
          mobileOf: async (id) => byId(id).mobile,
        },
        otp: world.otp(),
        limiter: createRateLimiter(createSqlCounterStore(db, world.clock)),
        guessesPerAccount: limit,
        sms: {
          send: (m) => sms.enqueue({ ...m, text: `code ${m.code}` }),
          delivery: (id) => sms.state(id),
          perAccount: { ...limit, limit: smsLimits.perAccount ?? 100 },
          perNumber: { ...limit, limit: smsLimits.perNumber ?? 100 },
          perSource: { ...limit, limit: smsLimits.perSource ?? 100 },
        },
        label: async () => 'jsmith',
        afterEnrolment: async () => {},
        audit: async () => {},
      });
      const lastCode = async (to: string) =>
        /code (\d{6})/.exec((await sms.recent()).find((s) => s.to === to)!.text)![1];
      return { service, lastCode };
    }

    async function person(name: string, mobile: string | null = null) {
      const entry = { id: await world.account(), employeeId: name.toUpperCase(), mobile };
      people.set(name, entry);
      return entry;
    }
    async function atCode(name: string, service = registration().service, from = source) {
      const flow = await service.start({ name, password: 'x', source: from });
      await service.submitEmployeeId(flow, name, from);
      return (await service.find(flow.id))!;
    }

    it('takes a helpdesk code once, for its own person only, until it expires; a new one replaces it', async () => {
      const { service } = registration();
      const ana = await person('ana');
      await person('ben');
      const { code } = await service.issueHelpdeskCode(ana.id, 'helpdesk-1');
      assert.match(code, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      // Ben's flow never opens with Ana's code.
      await assert.rejects(service.submitCode(await atCode('ben'), code, source), { code: 'registration.wrong_code' });
      await service.submitCode(await atCode('ana'), code, source);
      await assert.rejects(service.submitCode(await atCode('ana'), code, source), { code: 'registration.wrong_code' });

      const old = await service.issueHelpdeskCode(ana.id, 'helpdesk-1');
      const current = await service.issueHelpdeskCode(ana.id, 'helpdesk-2');
      await assert.rejects(service.submitCode(await atCode('ana'), old.code, source), {
        code: 'registration.wrong_code',
      });
      world.clock.advance(24 * 60 * minute + 1000);
      await assert.rejects(service.submitCode(await atCode('ana'), current.code, source), {
        code: 'registration.wrong_code',
      });
    });

    it('ends a flow after 5 wrong registration codes, without spending the right one', async () => {
      const { service } = registration();
      const hal = await person('hal');
      const { code } = await service.issueHelpdeskCode(hal.id, 'helpdesk-1');
      const flow = await atCode('hal');
      for (let i = 0; i < 4; i++)
        await assert.rejects(service.submitCode(flow, `AAAA-BBBB-CCCC-DDD${'EFGH'[i]}`, source), {
          code: 'registration.wrong_code',
        });
      await assert.rejects(service.submitCode(flow, 'AAAA-BBBB-CCCC-DDDJ', source), {
        code: 'registration.flow_expired',
      });
      await assert.rejects(service.submitCode(flow, code, source), { code: 'registration.flow_expired' });
      assert.equal(await service.find(flow.id), undefined);
      await service.submitCode(await atCode('hal'), code, source);
    });

    it('takes an SMS code for 10 minutes, and only the latest one; the flow itself ends after 30 minutes', async () => {
      const { service, lastCode } = registration();
      await person('cara', '+40721000301');
      const flow = await atCode('cara');
      const first = await lastCode('+40721000301');
      assert.equal((await service.codeStep(flow)).maskedNumber, '+40••••••301');
      world.clock.advance(10 * minute + 1000);
      await assert.rejects(service.submitCode(flow, first, source), { code: 'registration.wrong_code' });
      await service.resendSms(flow, source);
      const second = await lastCode('+40721000301');
      const fresh = (await service.find(flow.id))!;
      if (second !== first)
        await assert.rejects(service.submitCode(fresh, first, source), { code: 'registration.wrong_code' });
      await service.submitCode((await service.find(flow.id))!, second, source);
      const enrolment = await service.enrolment((await service.find(flow.id))!);
      assert.match(enrolment.otpauthUri, /^otpauth:\/\/totp\//);

      const waiting = await atCode('cara');
      world.clock.advance(30 * minute + 1000);
      assert.equal(await service.find(waiting.id), undefined);
    });

    it('sends no SMS to a person without a mobile number, and says so', async () => {
      const { service } = registration();
      await person('dan');
      const flow = await atCode('dan');
      assert.deepEqual(await service.codeStep(flow), { sms: 'no_mobile', maskedNumber: null });
      assert.equal(flow.smsId, null);
    });

    it('limits SMS per person, per number and per source, also under parallel requests (T45)', async () => {
      const { service } = registration({ perAccount: 3, perNumber: 4, perSource: 6 });
      await person('eve', '+40721000401');
      const flow = await atCode('eve', service);
      const resends = await Promise.allSettled(Array.from({ length: 10 }, () => service.resendSms(flow, source)));
      assert.equal(resends.filter((r) => r.status === 'fulfilled').length, 2, 'the first SMS and two more');
      const refused = resends.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal(refused.reason.code, 'ratelimit.throttled');
      assert.ok(refused.reason.retryAfterSeconds > 0);

      // Two people sharing one number: the number's own limit.
      await person('fay', '+40721000402');
      await person('gus', '+40721000402');
      const other = { ip: '198.51.100.7' };
      await atCode('fay', service, other);
      await atCode('fay', service, other);
      await atCode('gus', service, other);
      await atCode('gus', service, other);
      await assert.rejects(atCode('gus', service, other), { code: 'ratelimit.throttled' });

      // One source asking for many people's SMS (pumping).
      const pump = { ip: '203.0.113.9' };
      for (let i = 0; i < 6; i++) {
        await person(`pump${i}`, `+4072100050${i}`);
        await atCode(`pump${i}`, service, pump);
      }
      await person('pump6', '+40721000506');
      await assert.rejects(atCode('pump6', service, pump), { code: 'ratelimit.throttled' });
    });
  });
}
