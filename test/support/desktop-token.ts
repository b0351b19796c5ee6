// The PC app as a person runs it: the Linux executable built by `npm run build:desktop`, driven through its CLI with
// answers on standard input; and a recording proxy between it and Tessera, so a test sees every byte it sends.
import { execFile, spawn } from 'node:child_process';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

/** Builds the executable of `flavour` for `target` (Linux x64 by default) into `out`; its path. */
export function buildDesktopToken(flavour: 'release' | 'test', out: string, target = 'linux-x64'): Promise<string> {
  const build = join(root, 'apps/desktop-token/build/build.ts');
  const args = [build, '--flavour', flavour, '--targets', target, '--out', out];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { cwd: root, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim().split('\n').pop()!),
    ),
  );
}

export interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the app with `answers` typed one per line (a pipe, not a terminal: the app reads them as they come). */
export function runApp(
  executable: string,
  args: string[],
  env: Record<string, string | undefined>,
  answers: string[] = [],
): Promise<AppRun> {
  return new Promise((resolve) => {
    // Only what the app needs: a test must not pass its own secrets along by accident.
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
    const child = spawn(executable, args, { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    child.stdin.end(answers.map((a) => `${a}\n`).join(''));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  response: Buffer;
}

/** A reverse proxy to `target` that keeps every request and answer passing through it. */
export async function recordingProxy(target: string) {
  const upstream = new URL(target);
  const seen: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const response = Buffer.concat(parts);
            seen.push({
              method: req.method!,
              path: req.url!,
              headers: req.headers,
              body,
              status: answer.statusCode!,
              response,
            });
            res.writeHead(answer.statusCode!, answer.headers).end(response);
          });
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The app left running: answers typed as its questions (on standard error) appear, as a person at it would. */
export function startApp(executable: string, args: string[], env: Record<string, string | undefined>) {
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  const child = spawn(executable, args, { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  let stdout = '';
  let stderr = '';
  let seen = 0;
  const changed: Array<() => void> = [];
  const tell = () => {
    for (const f of changed.splice(0)) f();
  };
  child.stdout.on('data', (d) => {
    stdout += d;
    tell();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    tell();
  });
  const exited = new Promise<AppRun>((resolve) =>
    child.on('exit', (code) => {
      tell();
      resolve({ code, stdout, stderr });
    }),
  );
  /** Waits for `said` on standard error after what was already read. */
  async function waitFor(said: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const match = said.exec(stderr.slice(seen));
      if (match) {
        seen += match.index + match[0].length;
        return match;
      }
      if (child.exitCode !== null || Date.now() > until) throw new Error(`no ${said} in:\n${stderr}\n${stdout}`);
      await new Promise<void>((resolve) => {
        changed.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
  return {
    waitFor,
    /** Waits for `question` after what was already answered, then types `answer`. */
    async answer(question: RegExp, answer: string, timeoutMs = 20_000) {
      await waitFor(question, timeoutMs);
      child.stdin.write(`${answer}\n`);
    },
    stop: () => {
      child.kill();
      return exited;
    },
    done: () => {
      child.stdin.end();
      return exited;
    },
  };
}
