// The layout's rules hold because a check refuses code that breaks them: here the project's own boundary check runs
// over a small tree that breaks each rule on purpose, and must name every broken rule, then over src/, and must pass.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

const root = resolve(import.meta.dirname, '..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');

function cruise(cwd: string): Promise<{ exitCode: number; output: string }> {
  return new Promise((done) => {
    execFile(depcruise, ['src', '--config', config], { cwd }, (err, stdout, stderr) => {
      done({ exitCode: err ? Number(err.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

const brokenTree: Record<string, string> = {
  'src/identity/index.ts': "export { rename } from './accounts.ts';\n",
  // A domain module writing SQL and speaking HTTP.
  'src/identity/accounts.ts': [
    "import type { Kysely } from 'kysely';",
    "import type { FastifyInstance } from 'fastify';",
    "import { signInPage } from '../web/index.ts';",
    'export const rename = (db: Kysely<never>, app: FastifyInstance) => [db, app, signInPage];',
  ].join('\n'),
  'src/web/index.ts': "export { signInPage } from './pages.ts';\n",
  'src/web/pages.ts': "export const signInPage = () => '<form></form>';\n",
  // A protocol module reaching past another folder's index.ts.
  'src/oidc/index.ts': "import { signInPage } from '../web/pages.ts';\nexport const page = signInPage;\n",
  // Two modules importing each other.
  'src/policy/index.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
  'src/policy/b.ts': "import { a } from './index.ts';\nexport const b = () => a;\n",
};

describe('the import-boundary check (npm run lint)', () => {
  let tree: string;
  before(async () => {
    tree = await mkdtemp(join(tmpdir(), 'tessera-guards-'));
    for (const [path, text] of Object.entries(brokenTree)) {
      await mkdir(dirname(join(tree, path)), { recursive: true });
      await writeFile(join(tree, path), text);
    }
    await symlink(join(root, 'node_modules'), join(tree, 'node_modules'));
    await writeFile(
      join(tree, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true } }),
    );
  });
  after(async () => {
    await rm(tree, { recursive: true, force: true });
  });

  test('refuses a tree that breaks each rule, naming the rule and the import', async () => {
    const { exitCode, output } = await cruise(tree);
    assert.notEqual(exitCode, 0, output);
    const lines = output.split('\n');
    for (const [rule, from, to] of [
      ['domain-without-infrastructure', 'src/identity/accounts.ts', 'node_modules/kysely/'],
      ['domain-without-infrastructure', 'src/identity/accounts.ts', 'node_modules/fastify/'],
      ['sql-only-in-store-and-sql-folders', 'src/identity/accounts.ts', 'node_modules/kysely/'],
      ['domain-without-protocols', 'src/identity/accounts.ts', 'src/web/index.ts'],
      ['web-only-from-http-modules', 'src/identity/accounts.ts', 'src/web/index.ts'],
      ['enter-folders-through-index', 'src/oidc/index.ts', 'src/web/pages.ts'],
      ['no-cycles', 'src/policy/', 'src/policy/'],
    ]) {
      const named = lines.some((line) => line.includes(`error ${rule}: ${from}`) && line.includes(to));
      assert.ok(named, `expected ${rule}: ${from} → ${to} in:\n${output}`);
    }
  });

  test('passes on the project itself', async () => {
    const { exitCode, output } = await cruise(root);
    assert.equal(exitCode, 0, output);
  });
});
