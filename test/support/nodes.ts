// Tessera nodes as an operator runs them: `tessera serve` in processes of their own (so one can be killed with -9),
// on one database with one key-encryption key, and the same database opened in the test's process to set things up
// and to count what was committed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type ConfigInput } from '../../src/config.ts';
import { createServer, type TesseraServer } from '../../src/server.ts';
import type { Clock } from '../../src/clock/index.ts';
import { freePort } from './tessera.ts';

const cliPath = join(import.meta.dirname, '../../src/cli.ts');

/** A free UDP port on 127.0.0.1 (RADIUS authentication and accounting each need one). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createSocket('udp4');
    probe.once('error', reject);
    probe.bind(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** What every node of one cluster shares: the database, the key-encryption key, the issuer, the settings. */
export interface Cluster {
  databaseUrl: string;
  issuer: string;
  keyEncryptionKey: string;
  settings: ConfigInput;
  dir: string;
}

export function createCluster(databaseUrl: string, issuer: string, settings: ConfigInput = {}): Cluster {
  return {
    databaseUrl,
    issuer,
    keyEncryptionKey: randomBytes(32).toString('base64'),
    settings,
    dir: mkdtempSync(join(tmpdir(), 'tessera-cluster-')),
  };
}

/** The cluster's database composed in this process, never listening: to add apps and people, and to count rows. */
export function openCluster(cluster: Cluster, clock?: Clock): Promise<TesseraServer> {
  return createServer(
    loadConfig({ env: {}, file: join(cluster.dir, 'none.json'), overrides: nodeConfig(cluster, 0, 'setup') }),
    { periodicJobs: false, clock },
  );
}

function nodeConfig(cluster: Cluster, port: number, name: string, extra: ConfigInput = {}): ConfigInput {
  const dataDir = join(cluster.dir, name);
  return {
    ...cluster.settings,
    ...extra,
    dataDir,
    databaseUrl: cluster.databaseUrl,
    issuer: cluster.issuer,
    secrets: { keyEncryptionKey: cluster.keyEncryptionKey },
    http: { port, host: '127.0.0.1', ...cluster.settings.http },
    // info: the start is seen in the log (no line per request at this level).
    log: { level: 'info' },
  };
}

export interface NodeProcess {
  name: string;
  url: string;
  port: number;
  process: ChildProcess;
  /** Every line the node wrote (its log), stdout and stderr. */
  lines: string[];
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the node (and its workers) to exit. */
  stop(): Promise<number | null>;
}

/** Starts `tessera serve` with `extra` settings (e.g. radius ports, server.workers); resolves once it answers. */
export async function startNode(
  cluster: Cluster,
  name: string,
  extra: ConfigInput = {},
  /** More environment for the node's processes (NODE_OPTIONS, say). */
  moreEnv: Record<string, string> = {},
): Promise<NodeProcess> {
  const port = await freePort();
  const file = join(cluster.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(nodeConfig(cluster, port, name, extra)));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    env: { ...env, ...moreEnv, TESSERA_CONFIG: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const wanted = extra.server?.workers ?? 1;
  const workers = wanted === 'auto' ? availableParallelism() : wanted;
  // Each worker's own line, not only the primary's: the lines of several processes reach the pipe in any order.
  const listening = () => lines.filter((l) => l.includes('Tessera is listening')).length >= workers;
  const deadline = Date.now() + 120_000;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (!listening()) {
    if (gone) throw new Error(`node ${name} exited at start:\n${lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`node ${name} did not start:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    port,
    process: child,
    lines,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export function dropCluster(cluster: Cluster): void {
  rmSync(cluster.dir, { recursive: true, force: true });
}
