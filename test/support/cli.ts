// The tessera CLI as an operator runs it: another process, on the database and key of a running test server.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RunningTessera } from './tessera.ts';

const cliPath = join(import.meta.dirname, '../../src/cli.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `input`: the CLI's standard input, a pipe (not a terminal); without it, the pipe is closed at once. */
export function runCli(args: string[], env: Record<string, string | undefined>, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A command that never reads its input may exit before taking it.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
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

/** The environment that points the CLI at `tessera`'s database and key-encryption key, logging nothing. */
export function operatorEnvironment(tessera: RunningTessera): Record<string, string | undefined> {
  return {
    TESSERA_DATABASE_URL: tessera.config.databaseUrl,
    TESSERA_DATA_DIR: tessera.config.dataDir,
    TESSERA_LOG_LEVEL: 'silent',
    TESSERA_SECRETS_KEY_ENCRYPTION_KEY: tessera.config.secrets.keyEncryptionKey,
  };
}
