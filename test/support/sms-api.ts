// A local HTTP server that answers like a REST SMS API (Twilio's Messages resource): Basic auth with the account id
// and token, a form POST, 201 with a JSON message resource, or the API's JSON error bodies (21211 invalid number,
// 20003 authentication, 20429 too many requests) and a 503 when it is down. It can post signed status callbacks.
import { createServer, type IncomingMessage } from 'node:http';
import { createHmac } from 'node:crypto';
import { freePort } from './tessera.ts';

export interface SentByApi {
  sid: string;
  form: Record<string, string>;
}

export interface SmsApi {
  url: string;
  received: SentByApi[];
  mode: 'ok' | 'busy' | 'down';
  /** A number the API refuses as invalid (as Twilio's test number +15005550001). */
  invalidNumber: string;
  /** Posts a status callback for `sid` to the StatusCallback URL it was sent with, signed (or signed wrongly). */
  callback(sid: string, status: string, options?: { badSignature?: boolean }): Promise<number>;
  close(): Promise<void>;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
  });

const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });

/** The signature as the provider computes it, written here on its own (not with Tessera's code). */
function sign(token: string, url: string, fields: Record<string, string>) {
  const data =
    url +
    Object.keys(fields)
      .sort()
      .map((k) => k + fields[k])
      .join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

export async function startSmsApi(o: { accountId: string; authToken: string }): Promise<SmsApi> {
  const port = await freePort();
  const path = `/2010-04-01/Accounts/${o.accountId}/Messages.json`;
  let next = 1;
  const api: SmsApi = {
    url: `http://127.0.0.1:${port}`,
    received: [],
    mode: 'ok',
    invalidNumber: '+15005550001',
    async callback(sid, status, options = {}) {
      const sent = api.received.find((m) => m.sid === sid)!;
      const fields = { AccountSid: o.accountId, MessageSid: sid, MessageStatus: status, To: sent.form.To };
      const url = sent.form.StatusCallback;
      const signature = sign(options.badSignature ? 'not-the-token' : o.authToken, url, fields);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'x-twilio-signature': signature },
        body: new URLSearchParams(fields),
      });
      return response.status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function answer(req: IncomingMessage): Promise<{ status: number; body: string }> {
    if (api.mode === 'down') return { status: 503, body: 'Service Unavailable' };
    if (req.method !== 'POST' || req.url !== path) return json(404, { code: 20404, message: 'Not found', status: 404 });
    const expected = `Basic ${Buffer.from(`${o.accountId}:${o.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected)
      return json(401, { code: 20003, message: 'Authentication Error - invalid username', status: 401 });
    if (api.mode === 'busy') return json(429, { code: 20429, message: 'Too Many Requests', status: 429 });
    const form = Object.fromEntries(new URLSearchParams(await read(req)));
    if (form.To === api.invalidNumber)
      return json(400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 });
    const sid = `SM${String(next++).padStart(32, '0')}`;
    api.received.push({ sid, form });
    return json(201, { sid, status: 'queued', to: form.To, from: form.From, body: form.Body });
  }

  const server = createServer((req, res) => {
    answer(req).then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return api;
}
