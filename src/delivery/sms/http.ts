// An HTTP SMS provider in the shape of the common REST SMS APIs (Twilio's Messages resource): a form POST with the
// account id and token as Basic auth, a JSON answer with the message's id; status callbacks signed with the token
// (X-Twilio-Signature: HMAC-SHA1 over the callback URL and the sorted form fields).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SmsSendFailure, type SmsGateway } from './gateway.ts';

export interface HttpSmsOptions {
  /** The API's base URL, e.g. https://api.twilio.com; the Messages path is appended. */
  url: string;
  accountId: string;
  authToken: string;
  /** The sender: a number in E.164 or an alphanumeric sender id. */
  from: string;
  /** Where the provider posts delivery reports (this server's /sms/status), or none. */
  statusCallbackUrl?: string;
  timeoutMs: number;
}

// Provider error codes that no retry can fix: invalid or unreachable numbers, numbers that opted out.
const permanentStatuses = new Set([400, 401, 403, 404]);

/** The signature a status callback carries: base64 HMAC-SHA1 of the URL and each field name and value, sorted. */
export function callbackSignature(authToken: string, url: string, fields: Readonly<Record<string, string>>): string {
  const data = Object.keys(fields)
    .sort()
    .reduce((acc, key) => acc + key + fields[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function validCallbackSignature(
  authToken: string,
  url: string,
  fields: Readonly<Record<string, string>>,
  given: unknown,
): boolean {
  const expected = Buffer.from(callbackSignature(authToken, url, fields));
  const actual = Buffer.from(typeof given === 'string' ? given : '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A status callback's `MessageStatus` as an outcome; statuses on the way (queued, sending, sent) are none. */
export function callbackOutcome(status: unknown): 'delivered' | 'failed' | undefined {
  if (status === 'delivered') return 'delivered';
  if (status === 'undelivered' || status === 'failed') return 'failed';
  return undefined;
}

export function createHttpSmsGateway(o: HttpSmsOptions): SmsGateway {
  const endpoint = new URL(
    `2010-04-01/Accounts/${encodeURIComponent(o.accountId)}/Messages.json`,
    o.url.endsWith('/') ? o.url : `${o.url}/`,
  );
  const authorization = `Basic ${Buffer.from(`${o.accountId}:${o.authToken}`).toString('base64')}`;
  return {
    kind: 'http',
    async send({ to, text }) {
      const body = new URLSearchParams({ To: to, From: o.from, Body: text });
      if (o.statusCallbackUrl) body.set('StatusCallback', o.statusCallbackUrl);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization, accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(o.timeoutMs),
        });
      } catch (err) {
        // No answer (refused, reset, timed out): the message may be sent again.
        const cause = (err as { cause?: { code?: string } }).cause;
        throw new SmsSendFailure(cause?.code ?? (err as Error).name, false);
      }
      const answer = (await response.json().catch(() => ({}))) as { sid?: unknown; code?: unknown };
      if (response.ok && typeof answer.sid === 'string' && answer.sid !== '') return answer.sid;
      // The provider's own error code (21211: invalid number) where it gives one, else the HTTP status.
      const reason = `http ${response.status}${typeof answer.code === 'number' ? ` code ${answer.code}` : ''}`;
      throw new SmsSendFailure(reason, permanentStatuses.has(response.status));
    },
    onReport() {
      // Reports come as signed status callbacks to this server's /sms/status (web), not on a connection of ours.
    },
    async close() {},
  };
}
