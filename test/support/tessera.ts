// Starts a real Tessera server for a test: its own database (SQLite file or PostgreSQL schema), a free port.
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type ConfigInput } from '../../src/config.ts';
import { createServer, type TesseraServer } from '../../src/server.ts';
import { createTestDatabase } from './databases.ts';
import { createLogger } from '../../src/web/index.ts';
import type { Clock } from '../../src/clock/index.ts';
import { solveChallenge } from 'altcha-lib/v1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
  });
}

export interface RunningTessera extends TesseraServer {
  url: string;
  stop(): Promise<void>;
}

export async function startTessera(
  dialect: 'sqlite' | 'postgres',
  overrides: ConfigInput = {},
  options: { logLines?: string[]; clock?: Clock } = {},
): Promise<RunningTessera> {
  const database = await createTestDatabase(dialect);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const config = loadConfig({
    env: {},
    file: join(dataDir, 'none.json'),
    overrides: {
      dataDir,
      databaseUrl: database.url,
      issuer: url,
      log: { level: 'silent' },
      oidc: { allowPrivateNetworkCallbacks: true },
      secrets: { keyEncryptionKey: randomBytes(32).toString('base64') },
      ...overrides,
      http: { port, ...overrides.http },
      mail: { pollMs: 50, ...overrides.mail },
    },
  });
  // With `logLines`, every log line (at trace level) is kept so a test can look for secrets in it.
  const logger = options.logLines
    ? createLogger('trace', {
        write: (line: string) => {
          options.logLines!.push(line);
        },
      })
    : undefined;
  const server = await createServer(config, { logger, clock: options.clock });
  await server.listen();
  return Object.assign(server, {
    url,
    async stop() {
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** A cookie jar over fetch, following nothing by itself, so a test sees every redirect a browser would take. */
export function createAgent() {
  const cookies = new Map<string, string>();
  async function request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookieHeader ? { cookie: cookieHeader } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }
  return {
    cookies,
    request,
    /** Follows redirects until one leaves `origin` or a page answers; returns the last response and its URL. */
    async follow(url: string, origin: string, init: RequestInit = {}): Promise<{ response: Response; url: string }> {
      let current = url;
      let response = await request(current, init);
      while (response.status >= 300 && response.status < 400) {
        const next = new URL(response.headers.get('location')!, current).toString();
        if (!next.startsWith(origin)) return { response, url: next };
        current = next;
        response = await request(current);
      }
      return { response, url: current };
    },
    async postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
      return request(url, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      });
    },
  };
}

/** The reset page's proof of work solved, as a script would: the value its form posts as `captcha`. */
export async function solvedCaptcha(page: string): Promise<string> {
  const challenge = JSON.parse(
    page
      .match(/data-captcha="([^"]+)"/)![1]
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&'),
  );
  const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber)
    .promise;
  return Buffer.from(JSON.stringify({ ...challenge, number: solution!.number, maxnumber: undefined })).toString(
    'base64',
  );
}

export function hiddenField(page: string, name: string): string {
  const match = page.match(new RegExp(`name="${name}" value="([^"]*)"`));
  if (!match) throw new Error(`no hidden field ${name} on the page`);
  return match[1];
}
