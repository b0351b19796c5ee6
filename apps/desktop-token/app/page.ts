// The app's window: a page served on 127.0.0.1 only, under a secret path made at each launch (another local user or
// a web page cannot guess it), answering only to its own Host (no DNS rebinding) and refusing forms from any other
// origin. It shows the code with the seconds left, the clock warning, Register again, Change PIN and About.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DesktopToken, OpenToken } from '../core/index.ts';
import type { TesseraApi } from './api.ts';
import { t } from '../../../src/i18n/index.ts';
import { aboutLines, clockWarning, smsNote } from './cli.ts';
import { describeError } from './messages.ts';
import { codeScript, codeView, esc, form, layout, message } from './page-html.ts';
import { builtInServer } from './platform.ts';
import { finishRegistration } from './session.ts';

export interface PageOptions {
  token: DesktopToken;
  api: (server: string) => TesseraApi;
  port?: number;
}

interface State {
  open?: OpenToken;
  warning?: string;
  /** A registration under way: its API (holding the flow), the name, and the step reached. */
  registering?: { api: TesseraApi; account: string; step: 'employee_id' | 'code' | 'pin'; note?: string };
}

/** Sends a page in the layout; `send.json` sends the code's JSON (what the page's script polls). */
type Send = ((status: number, title: string, body: string, script?: string) => void) & {
  json(status: number, value: unknown): void;
};
type Form = Record<string, string>;

const unlockForm = () =>
  form('unlock', [{ name: 'pin', label: t('desktop.pin'), type: 'password' }], t('desktop.unlock'));

async function readForm(req: IncomingMessage): Promise<Form> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 8192) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

function registerPage(state: State, send: Send, error?: string) {
  const r = state.registering;
  const err = message('error', error);
  if (!r) {
    const fields = [
      { name: 'server', label: t('desktop.server'), type: 'url' as const, value: builtInServer ?? '' },
      { name: 'name', label: t('register.name'), autocomplete: 'username' },
      { name: 'password', label: t('desktop.password'), type: 'password' as const, autocomplete: 'current-password' },
    ];
    return send(
      200,
      t('desktop.register_title'),
      err + form('register', fields, t('register.start'), { step: 'start' }),
    );
  }
  const note = message('warn', r.note);
  if (r.step === 'employee_id')
    return send(
      200,
      t('register.employee_id'),
      err +
        form('register', [{ name: 'employeeId', label: t('register.employee_id') }], t('register.start'), {
          step: 'employee_id',
        }),
    );
  if (r.step === 'code')
    return send(
      200,
      t('register.code'),
      err +
        note +
        form('register', [{ name: 'code', label: t('register.code') }], t('register.start'), { step: 'code' }),
    );
  const pins = [
    { name: 'pin', label: t('desktop.new_pin'), type: 'password' as const, autocomplete: 'new-password' },
    { name: 'again', label: t('desktop.pin_again'), type: 'password' as const, autocomplete: 'new-password' },
  ];
  return send(200, t('desktop.pin_title'), err + form('register', pins, t('desktop.register'), { step: 'pin' }));
}

async function registerStep(o: PageOptions, state: State, f: Form): Promise<string | undefined> {
  const r = state.registering;
  if (f.step === 'start') {
    const api = o.api(f.server ?? '');
    await api.start(f.name ?? '', f.password ?? '');
    state.registering = { api, account: f.name ?? '', step: 'employee_id' };
    return undefined;
  }
  if (!r) return t('desktop.registration_ended');
  if (f.step === 'employee_id' && r.step === 'employee_id') {
    const step = await r.api.employeeId(f.employeeId ?? '');
    r.step = 'code';
    r.note = smsNote(step);
  } else if (f.step === 'code' && r.step === 'code') {
    await r.api.code(f.code ?? '');
    r.step = 'pin';
  } else if (f.step === 'pin' && r.step === 'pin') {
    if (f.pin !== f.again) return t('desktop.pins_differ');
    await finishRegistration(r.api, o.token, { pin: f.pin ?? '', account: r.account });
    state.registering = undefined;
    state.open = undefined;
    return 'done';
  }
  return undefined;
}

/** The routes under the secret path. */
function routes(o: PageOptions, state: State) {
  return async (method: string, path: string, req: IncomingMessage, send: Send, redirect: (to: string) => void) => {
    if (method === 'GET' && path === 'code.json') {
      return state.open ? send.json(200, state.open.code(Date.now())) : send.json(401, {});
    }
    if (method === 'GET' && path === '') {
      const has = await o.token.state();
      if (has !== 'ready')
        return send(
          200,
          t('desktop.no_token_title'),
          `<p>${has === 'erased' ? esc(t('desktop.erased_note')) : ''} <a href="register">${esc(t('desktop.register_title'))}</a>.</p>`,
        );
      if (!state.open) {
        const pin = await o.token.pinState();
        const wait = pin.waitSeconds ? t('desktop.next_try', { seconds: pin.waitSeconds }) : undefined;
        const left = pin.failures ? t('desktop.tries_left', { count: pin.triesLeft }) : undefined;
        return send(200, t('desktop.enter_pin'), message('warn', wait ?? left) + unlockForm());
      }
      const now = state.open.code(Date.now());
      return send(
        200,
        t('desktop.code_title'),
        message('warn', state.warning) + codeView({ ...now, tokenSerial: state.open.contents.tokenSerial }),
        codeScript,
      );
    }
    if (method === 'GET' && path === 'about')
      return send(
        200,
        t('desktop.nav_about'),
        `<ul>${(await aboutLines(o.token)).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`,
      );
    if (method === 'GET' && path === 'register') return registerPage(state, send);
    if (method === 'GET' && path === 'change-pin') return changePinPage(send);
    if (method !== 'POST') return send(404, t('desktop.not_found'), '');
    const f = await readForm(req);
    return posted(o, state, path, f, send, redirect);
  };
}

function changePinPage(send: Send, error?: string, done?: string) {
  const fields = [
    { name: 'old', label: t('desktop.current_pin'), type: 'password' as const },
    { name: 'pin', label: t('desktop.new_pin'), type: 'password' as const, autocomplete: 'new-password' },
    { name: 'again', label: t('desktop.pin_again'), type: 'password' as const, autocomplete: 'new-password' },
  ];
  return send(
    error ? 400 : 200,
    t('desktop.nav_change_pin'),
    message('error', error) + message('warn', done) + form('change-pin', fields, t('desktop.nav_change_pin')),
  );
}

async function posted(o: PageOptions, state: State, path: string, f: Form, send: Send, redirect: (to: string) => void) {
  try {
    if (path === 'unlock') {
      state.open = await o.token.open(f.pin ?? '');
      state.warning = await clockWarning(o.api(state.open.contents.server));
      return redirect('./');
    }
    if (path === 'lock') {
      state.open = undefined;
      return redirect('./');
    }
    if (path === 'change-pin') {
      if (f.pin !== f.again) return changePinPage(send, t('desktop.new_pins_differ'));
      await o.token.changePin(f.old ?? '', f.pin ?? '');
      return changePinPage(send, undefined, t('desktop.pin_changed'));
    }
    if (path === 'register') {
      const outcome = await registerStep(o, state, f);
      if (outcome === 'done') return redirect('./');
      return outcome ? registerPage(state, send, outcome) : redirect('register');
    }
    return send(404, t('desktop.not_found'), '');
  } catch (err) {
    const text = describeError(err);
    if (path === 'change-pin') return changePinPage(send, text);
    if (path === 'register') return registerPage(state, send, text);
    return send(400, t('desktop.enter_pin'), message('error', text) + unlockForm());
  }
}

export async function startPage(o: PageOptions): Promise<{ url: string; server: Server }> {
  const secret = randomBytes(24).toString('base64url');
  const state: State = {};
  const handle = routes(o, state);
  let origin = '';
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const nonce = randomBytes(16).toString('base64');
    const headers = {
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on forms, which the check refuses.
      'referrer-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
    };
    const fail = (status: number) => res.writeHead(status, headers).end();
    const url = new URL(req.url ?? '/', 'http://x');
    const [, given, ...rest] = url.pathname.split('/');
    const ok = given && given.length === secret.length && timingSafeEqual(Buffer.from(given), Buffer.from(secret));
    if (`http://${req.headers.host}` !== origin || !ok) return fail(404);
    if (req.method === 'POST' && req.headers.origin !== undefined && req.headers.origin !== origin) return fail(403);
    const base = `/${secret}/`;
    const send: Send = Object.assign(
      (status: number, title: string, body: string, script?: string) => {
        res.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8' });
        res.end(layout({ base, nonce }, title, body, script));
      },
      {
        json(status: number, value: unknown) {
          res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(value));
        },
      },
    );
    const redirect = (to: string) =>
      res.writeHead(303, { ...headers, location: new URL(to, `${origin}${base}`).pathname }).end();
    try {
      await handle(req.method ?? 'GET', rest.join('/'), req, send, redirect);
    } catch {
      if (!res.headersSent) fail(400);
    }
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/${secret}/`, server };
}
