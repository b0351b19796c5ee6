// /api/otp/desktop/*: the registration flow (/otp/register) for the PC app, as JSON. The same steps and rules as the
// pages (directory password, employee ID, SMS or helpdesk code), then the desktop token: the app sends a salted hash
// of the device's serial number and receives the token's seed once; Tessera keeps only the secret bound to that
// hash. The flow's id, given by the first step, authenticates the later ones (`Authorization: Registration <id>`):
// no cookie, so no CSRF. Each step: parse (schema) → loadFlow → the flow's step function → JSON, or problem+json.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../clock/index.ts';
import type { Registration, RegistrationFlow, RegistrationStep } from '../../registration/index.ts';
import { answerStatus, formError } from '../error-map.ts';
import { sendProblem } from '../errors.ts';

export interface DesktopRegistrationApiOptions {
  registration: Registration;
  clock: Clock;
}

const base = '/api/otp/desktop';
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const body = (properties: Record<string, { type: 'string'; maxLength?: number; pattern?: string }>) => ({
  body: { type: 'object', required: Object.keys(properties), additionalProperties: false, properties },
});

const problem = (reply: FastifyReply, err: unknown, otherwise: number) => {
  const answer = formError(err);
  const status = answer.message === 'registration.flow_expired' ? 410 : answerStatus(reply, answer, otherwise);
  const extra = answer.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: answer.retryAfterSeconds };
  return sendProblem(reply, status, answer.message, extra, answer.params);
};

/** The open flow the request names, at `step`; otherwise the problem is sent and undefined returned. */
async function loadFlow(
  o: DesktopRegistrationApiOptions,
  req: FastifyRequest,
  reply: FastifyReply,
  step: RegistrationStep,
) {
  const id = /^Registration ([\w-]{32})$/.exec(req.headers.authorization ?? '')?.[1];
  const flow: RegistrationFlow | undefined = id ? await o.registration.find(id) : undefined;
  if (flow?.step === step) return flow;
  sendProblem(reply, 410, 'registration.flow_expired');
  return undefined;
}

function identificationSteps(app: FastifyInstance, o: DesktopRegistrationApiOptions) {
  const r = o.registration;
  app.post<{ Body: { name: string; password: string } }>(
    `${base}/register/start`,
    { schema: body({ name: text(320), password: text(4096) }) },
    async (req, reply) => {
      try {
        const flow = await r.start({ name: req.body.name, password: req.body.password, source: { ip: req.ip } });
        return reply.code(201).send({ flow: flow.id, step: flow.step, expiresAt: flow.expiresAt });
      } catch (err) {
        return problem(reply, err, 400);
      }
    },
  );
  const toCode = async (flow: RegistrationFlow) => ({ step: 'code', ...(await r.codeStep({ ...flow, step: 'code' })) });
  app.post<{ Body: { employeeId: string } }>(
    `${base}/register/employee-id`,
    { schema: body({ employeeId: text(256) }) },
    async (req, reply) => {
      const flow = await loadFlow(o, req, reply, 'employee_id');
      if (!flow) return reply;
      try {
        await r.submitEmployeeId(flow, req.body.employeeId, { ip: req.ip });
        return toCode((await r.find(flow.id)) ?? flow);
      } catch (err) {
        return problem(reply, err, 400);
      }
    },
  );
}

function codeSteps(app: FastifyInstance, o: DesktopRegistrationApiOptions) {
  const r = o.registration;
  app.post(`${base}/register/sms`, { schema: body({}) }, async (req, reply) => {
    const flow = await loadFlow(o, req, reply, 'code');
    if (!flow) return reply;
    try {
      await r.resendSms(flow, { ip: req.ip });
      return { step: 'code', ...(await r.codeStep((await r.find(flow.id)) ?? flow)) };
    } catch (err) {
      return problem(reply, err, 400);
    }
  });
  app.post<{ Body: { code: string } }>(
    `${base}/register/code`,
    { schema: body({ code: text(64) }) },
    async (req, reply) => {
      const flow = await loadFlow(o, req, reply, 'code');
      if (!flow) return reply;
      try {
        await r.submitCode(flow, req.body.code, { ip: req.ip });
        return { step: 'enrol' };
      } catch (err) {
        return problem(reply, err, 400);
      }
    },
  );
}

/** The flow's last step: the desktop token (its seed shown once, never stored), then its first code. */
function desktopSteps(app: FastifyInstance, o: DesktopRegistrationApiOptions) {
  const r = o.registration;
  app.post<{ Body: { serialHash: string } }>(
    `${base}/register`,
    { schema: body({ serialHash: { type: 'string', pattern: '^[0-9a-f]{64}$' } }) },
    async (req, reply) => {
      const flow = await loadFlow(o, req, reply, 'enrol');
      if (!flow) return reply;
      try {
        const e = await r.desktopEnrolment(flow, req.body.serialHash, { ip: req.ip });
        reply.header('cache-control', 'no-store');
        return {
          serial: e.serial,
          secret: e.secretBase32,
          algorithm: 'SHA1',
          digits: 6,
          periodSeconds: 30,
          expiresAt: e.expiresAt,
        };
      } catch (err) {
        return problem(reply, err, 400);
      }
    },
  );
  app.post<{ Body: { code: string } }>(
    `${base}/register/confirm`,
    { schema: body({ code: text(16) }) },
    async (req, reply) => {
      const flow = await loadFlow(o, req, reply, 'enrol');
      if (!flow) return reply;
      try {
        const confirmed = await r.confirm(flow, req.body.code, { ip: req.ip });
        return { serial: confirmed.token.serial, replaced: confirmed.revoked.map((t) => t.serial) };
      } catch (err) {
        return problem(reply, err, 400);
      }
    },
  );
}

export function registerDesktopRegistrationApi(app: FastifyInstance, o: DesktopRegistrationApiOptions): void {
  // The app's clock check: a TOTP code is accepted within a step of this time.
  app.get(`${base}/time`, async (_req, reply) =>
    reply.header('cache-control', 'no-store').send({ now: o.clock.now() }),
  );
  identificationSteps(app, o);
  codeSteps(app, o);
  desktopSteps(app, o);
}
