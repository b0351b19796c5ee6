// The vault on disk: written to a temporary file then renamed (a crash leaves the old vault or the new one, never
// half of one), readable by its owner only; a lock file keeps two processes of the app from changing it at once.
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { VaultStore } from './token.ts';

const staleLockMs = 30_000;

export function fileVaultStore(path: string): VaultStore {
  const lockPath = `${path}.lock`;
  async function lock(): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    for (let tries = 0; ; tries++) {
      try {
        await (await open(lockPath, 'wx', 0o600)).close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A lock left by a process that died long ago is taken over; a live one is waited for.
        const age = Date.now() - (await stat(lockPath).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        if (age > staleLockMs || tries > 300) await rm(lockPath, { force: true });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
  return {
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async write(text) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, path);
    },
    remove: () => rm(path, { force: true }),
    async exclusive(fn) {
      await lock();
      try {
        return await fn();
      } finally {
        await rm(lockPath, { force: true });
      }
    },
  };
}
