// Debian's haproxy in front of the nodes of a test cluster, as an operator would run it: round-robin, no stickiness,
// each response naming the server that answered (X-Served-By, set by haproxy, so Tessera leaks nothing of its own).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './tessera.ts';

export const haproxyInstalled = (): boolean => spawnSync('haproxy', ['-v']).status === 0;

export interface Haproxy {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `servers`: name → HTTP port on 127.0.0.1. Resolves once haproxy accepts connections. */
export async function startHaproxy(dir: string, servers: Record<string, number>, port?: number): Promise<Haproxy> {
  const listen = port ?? (await freePort());
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 2000',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      // A node that refuses the connection (killed) gets the request sent to another; one that dies with the request
      // in flight answers 502, as it would in production.
      '  retries 2',
      '  option redispatch',
      'frontend tessera',
      `  bind 127.0.0.1:${listen}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance roundrobin',
      '  option httpchk GET /healthz',
      '  http-response set-header X-Served-By %s',
      ...Object.entries(servers).map(([name, p]) => `  server ${name} 127.0.0.1:${p} check inter 300 fall 2 rise 1`),
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${listen}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
    const answered = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (answered) break;
    if (i > 100) throw new Error(`haproxy did not answer: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port: listen,
    process: child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
