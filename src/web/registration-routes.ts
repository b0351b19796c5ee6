// /otp/register: the registration flow's pages. The first form (IT code and password) is bound to a random cookie
// for CSRF; the flow's id then lives in its own cookie, and each later form's token is bound to that flow. Each step:
// checkCsrf → loadFlow → the flow's step function → redirect to the next step (303), or the same page with its error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { t } from '../i18n/index.ts';
import type { Registration, RegistrationFlow, RegistrationStep } from '../registration/index.ts';
import type { Csrf } from './csrf.ts';
import { enrolmentAnswer } from './enrolment.ts';
import { answerStatus, formError, type WebAnswer } from './error-map.ts';
import { createFormCookie } from './form-cookie.ts';
import { messagePage } from './pages/account-pages.ts';
import {
  registerCodePage,
  registerDonePage,
  registerEmployeePage,
  registerEndedPage,
  registerStartPage,
} from './pages/registration-pages.ts';

export interface RegistrationRouteOptions {
  registration: Registration;
  csrf: Csrf;
  secureCookies: boolean;
  flowTtlSeconds: number;
  /** Where people find their employee ID (configured), else the catalogue's general words. */
  employeeIdHint?: string;
  /** The name the enrolment page gives the systems that will ask for the code. */
  appName: string;
}

type Body = Record<string, string | undefined>;
type Req = FastifyRequest<{ Body: Body }>;
const text = { type: 'string', maxLength: 1024 } as const;
const bodySchema = {
  body: {
    type: 'object',
    properties: {
      csrf: text,
      name: text,
      password: { type: 'string', maxLength: 4096 },
      employee_id: text,
      code: text,
    },
  },
} as const;
const flowCookie = 'tessera_registration';
const base = '/otp/register';
const stepPath: Record<RegistrationStep, string> = {
  employee_id: `${base}/employee-id`,
  code: `${base}/code`,
  enrol: `${base}/app`,
};

const page = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

/** What every step's routes share: the flow cookie, the flow's CSRF token, loading the flow for a step. */
function stepContext(app: FastifyInstance, o: RegistrationRouteOptions) {
  const r = o.registration;
  const flowOf = (req: FastifyRequest) =>
    r.find(new RegExp(`(?:^|;\\s*)${flowCookie}=([\\w-]{32})`).exec(req.headers.cookie ?? '')?.[1]);
  const flowToken = (flow: RegistrationFlow) => o.csrf.token(`registration:${flow.id}`);
  return {
    r,
    flowOf,
    flowToken,
    cookie: (value: string, maxAge: number) =>
      `${flowCookie}=${value}; Path=${base}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${o.secureCookies ? '; Secure' : ''}`,

    /** The open flow at `step` and a valid token for it, else the answer already sent. */
    async loadFlow(req: Req, reply: FastifyReply, step: RegistrationStep) {
      const flow = await flowOf(req);
      if (!flow || flow.step !== step) {
        page(reply, 400, registerEndedPage());
        return undefined;
      }
      if (!o.csrf.valid(`registration:${flow.id}`, req.body?.csrf)) {
        page(reply, 403, messagePage('error.title', 'web.csrf'));
        return undefined;
      }
      return flow;
    },

    /** GET of a step page: the flow's own step, or back to where it is (or to the start when there is none). */
    showStep(step: RegistrationStep, show: (flow: RegistrationFlow, reply: FastifyReply) => Promise<unknown>) {
      app.get(stepPath[step], async (req, reply) => {
        const flow = await flowOf(req);
        if (!flow) return reply.redirect(base, 303);
        if (flow.step !== step) return reply.redirect(stepPath[flow.step], 303);
        return show(flow, reply);
      });
    },
  };
}

type StepContext = ReturnType<typeof stepContext>;

/** The first page: IT code and password open a flow, whose id goes into its cookie. */
function registerStart(app: FastifyInstance, o: RegistrationRouteOptions, c: StepContext) {
  const form = createFormCookie(o.csrf, base, o.secureCookies);
  app.get(base, async (req, reply) => page(reply, 200, registerStartPage({ csrf: form.token(req, reply) })));

  app.post<{ Body: Body }>(base, { schema: bodySchema }, async (req, reply) => {
    if (!form.valid(req)) return page(reply, 403, messagePage('error.title', 'web.csrf'));
    const name = String(req.body.name ?? '');
    try {
      const flow = await c.r.start({ name, password: req.body.password, source: { ip: req.ip } });
      reply.header('set-cookie', c.cookie(flow.id, o.flowTtlSeconds));
      return reply.redirect(stepPath.employee_id, 303);
    } catch (err) {
      const answer = formError(err);
      // The sign-in's name field is `email`; here it is `name`.
      const error = { ...answer, field: answer.field === 'email' ? 'name' : answer.field };
      const status = answerStatus(reply, answer, 400);
      return page(reply, status, registerStartPage({ csrf: form.token(req, reply), name, errors: [error] }));
    }
  });
}

/** The employee ID, then the SMS or helpdesk code (and a new SMS). */
function registerAnswers(app: FastifyInstance, o: RegistrationRouteOptions, c: StepContext) {
  const hint = o.employeeIdHint ?? t('register.employee_where');
  // The configured hint says where the employee ID is; the catalogue's message says it in general words.
  const withHint = (a: WebAnswer): WebAnswer =>
    a.message === 'registration.wrong_employee_id' && o.employeeIdHint
      ? { ...a, message: 'registration.wrong_employee_id_at', params: { hint: o.employeeIdHint } }
      : a;
  const codePage = async (flow: RegistrationFlow, errors?: WebAnswer[]) =>
    registerCodePage({ csrf: c.flowToken(flow), step: await c.r.codeStep(flow), errors });

  c.showStep('employee_id', async (flow, reply) =>
    page(reply, 200, registerEmployeePage({ csrf: c.flowToken(flow), hint })),
  );
  c.showStep('code', async (flow, reply) => page(reply, 200, await codePage(flow)));

  /** A step's POST: its action, then the next page, or this page again with the error. */
  const answerRoute = (
    path: string,
    step: RegistrationStep,
    act: (flow: RegistrationFlow, req: Req) => Promise<void>,
    next: string,
    again: (flow: RegistrationFlow, errors: WebAnswer[]) => Promise<string> | string,
  ) =>
    app.post<{ Body: Body }>(path, { schema: bodySchema }, async (req, reply) => {
      const flow = await c.loadFlow(req, reply, step);
      if (!flow) return reply;
      try {
        await act(flow, req);
        return reply.redirect(next, 303);
      } catch (err) {
        const answer = withHint(formError(err));
        if (answer.message === 'registration.flow_expired') return page(reply, 400, registerEndedPage());
        const status = answerStatus(reply, answer, 400);
        // The employee ID passed but its SMS was refused (a limit): the person is at the code step, told why.
        const now = await c.r.find(flow.id);
        if (now && now.step !== step) return page(reply, status, await codePage(now, [answer]));
        return page(reply, status, await again(flow, [answer]));
      }
    });

  answerRoute(
    stepPath.employee_id,
    'employee_id',
    (flow, req) => c.r.submitEmployeeId(flow, req.body.employee_id, { ip: req.ip }),
    stepPath.code,
    (flow, errors) => registerEmployeePage({ csrf: c.flowToken(flow), hint, errors }),
  );
  answerRoute(
    stepPath.code,
    'code',
    (flow, req) => c.r.submitCode(flow, req.body.code, { ip: req.ip }),
    stepPath.enrol,
    codePage,
  );
  answerRoute(
    `${stepPath.code}/resend`,
    'code',
    (flow, req) => c.r.resendSms(flow, { ip: req.ip }),
    stepPath.code,
    codePage,
  );
}

/** The QR code and the new token's first code (the shared enrolment page), then the done page. */
function registerEnrol(app: FastifyInstance, o: RegistrationRouteOptions, c: StepContext) {
  const enrolView = (flow: RegistrationFlow) => ({
    action: stepPath.enrol,
    csrf: c.flowToken(flow),
    appName: o.appName,
    required: true,
  });

  c.showStep('enrol', async (flow, reply) => {
    const { status, body } = await enrolmentAnswer(reply, enrolView(flow), await c.r.enrolment(flow));
    return page(reply, status, body);
  });

  app.post<{ Body: Body }>(stepPath.enrol, { schema: bodySchema }, async (req, reply) => {
    const flow = await c.loadFlow(req, reply, 'enrol');
    if (!flow) return reply;
    try {
      const confirmed = await c.r.confirm(flow, req.body.code, { ip: req.ip });
      reply.header('set-cookie', c.cookie('', 0));
      const revoked = confirmed.revoked.map((token) => token.serial);
      return page(reply, 200, registerDonePage({ serial: confirmed.token.serial, revoked }));
    } catch (err) {
      // A wrong first code shows the same QR code again with the error; an expired registration, a new one.
      const fresh = await c.r.find(flow.id);
      if (!fresh) return page(reply, 400, registerEndedPage());
      const { status, body } = await enrolmentAnswer(reply, enrolView(fresh), await c.r.enrolment(fresh), err);
      return page(reply, status, body);
    }
  });
}

export function registerRegistrationRoutes(app: FastifyInstance, o: RegistrationRouteOptions): void {
  const c = stepContext(app, o);
  registerStart(app, o, c);
  registerAnswers(app, o, c);
  registerEnrol(app, o, c);
}
