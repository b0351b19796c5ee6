// What the app says to Tessera, all of it: the server's time, the registration flow's steps, and the desktop
// token's registration. Every field sent is listed here and in the README ("What the app sends"); the e2e captures
// the traffic and checks it holds nothing else. The flow's id, given at the first step, authenticates the others.
import { t } from '../../../src/i18n/index.ts';
import { TokenError } from '../core/index.ts';

export interface DesktopRegistration {
  serial: string;
  /** The seed in base32: given once; the app keeps it in the vault only. */
  secret: string;
  algorithm: 'SHA1';
  digits: 6;
  periodSeconds: 30;
  expiresAt: number;
}

export interface CodeStepState {
  step: 'code';
  /** `sent`, `late`, `failed`, `no_mobile` or `not_configured` (then only a helpdesk code works). */
  sms: string;
  maskedNumber: string | null;
}

export interface TesseraApi {
  readonly server: string;
  /** The server's clock (epoch ms), to warn when this PC's is off. */
  time(): Promise<number>;
  start(name: string, password: string): Promise<void>;
  employeeId(employeeId: string): Promise<CodeStepState>;
  resendSms(): Promise<CodeStepState>;
  code(code: string): Promise<void>;
  registerDesktop(serialHash: string): Promise<DesktopRegistration>;
  confirm(code: string): Promise<{ serial: string; replaced: string[] }>;
}

const base = '/api/otp/desktop';

/** The server's address as typed: https (or http to a loopback address, for trying it out), no path tricks. */
export function serverUrl(typed: string): string {
  let url: URL;
  try {
    url = new URL(typed.trim());
  } catch {
    throw new TokenError('server.unreachable', { detail: typed });
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new TokenError('server.unreachable', { detail: t('desktop.https_only', { address: typed }) });
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export function tesseraApi(server: string, fetchImpl: typeof fetch = fetch): TesseraApi {
  const origin = serverUrl(server);
  let flow: string | undefined;

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, string>,
    timeoutMs = 20_000,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    if (flow) headers.authorization = `Registration ${flow}`;
    let response: Response;
    try {
      response = await fetchImpl(`${origin}${path}`, {
        method,
        headers,
        body: body && JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new TokenError('server.unreachable', { detail: (err as Error).message });
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      // Tessera's problem+json: `title` is in the person's words, `code` the stable id.
      throw new TokenError('server.refused', {
        detail: String(answer.code ?? response.status),
        message: String(answer.title ?? response.statusText),
        retryAfterSeconds: Number(response.headers.get('retry-after')) || undefined,
      });
    }
    return answer as T;
  }

  return {
    server: origin,
    // A clock check must not hold the window up: 5 s, then the app says it could not ask.
    time: async () => (await call<{ now: number }>('GET', `${base}/time`, undefined, 5_000)).now,
    async start(name, password) {
      flow = undefined;
      flow = (await call<{ flow: string }>('POST', `${base}/register/start`, { name, password })).flow;
    },
    employeeId: (employeeId) => call('POST', `${base}/register/employee-id`, { employeeId }),
    resendSms: () => call('POST', `${base}/register/sms`, {}),
    code: async (code) => {
      await call('POST', `${base}/register/code`, { code });
    },
    registerDesktop: (serialHash) => call('POST', `${base}/register`, { serialHash }),
    confirm: (code) => call('POST', `${base}/register/confirm`, { code }),
  };
}
