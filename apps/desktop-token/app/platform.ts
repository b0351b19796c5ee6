// The app's surroundings: which build it is, where the vault lives on each OS, the real serial readers, the clock.
// The build (build/build.ts) replaces process.env.TESSERA_DESKTOP_FLAVOUR and _VERSION with constants, so a release
// executable cannot be switched into a test build by its environment.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createDesktopToken, fileVaultStore, type DesktopToken, type SerialPorts } from '../core/index.ts';

/** `release` in a release executable; anything else (a test build, or the sources run with node) honours test switches. */
export const flavour: string = process.env.TESSERA_DESKTOP_FLAVOUR ?? 'source';
export const version: string = process.env.TESSERA_DESKTOP_VERSION ?? '0.0.0-dev';
/** The Tessera address the build was made for (IT sets it at build time), if any. */
export const builtInServer: string | undefined = process.env.TESSERA_DESKTOP_SERVER_DEFAULT || undefined;
export const testSwitches = flavour !== 'release';

export function vaultPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESSERA_DESKTOP_VAULT) return env.TESSERA_DESKTOP_VAULT;
  if (process.platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Tessera', 'desktop-token', 'vault.json');
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Tessera Desktop Token', 'vault.json');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'tessera-desktop-token', 'vault.json');
}

export const serialPorts: SerialPorts = {
  platform: process.platform,
  env: process.env,
  testSwitches,
  readFile: (path) => readFile(path, 'utf8'),
  run: (command, args) =>
    new Promise((resolve, reject) =>
      execFile(command, args, { timeout: 10_000, windowsHide: true }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    ),
};

export function desktopToken(path = vaultPath()): DesktopToken {
  return createDesktopToken({ store: fileVaultStore(path), serial: serialPorts, now: () => Date.now() });
}
