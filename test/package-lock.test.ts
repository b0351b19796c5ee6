// package-lock.json must say what package.json says: otherwise `npm install` on a clean clone rewrites it (issue 17:
// the lock kept a root `engines` entry package.json had dropped), and `npm ci` installs what nobody declared.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

type Manifest = Record<string, unknown> & { bin?: Record<string, string> };
const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`../${name}`, import.meta.url), 'utf8'));
const manifest = read('package.json') as Manifest;
const lock = read('package-lock.json') as { name: string; version: string; packages: Record<string, Manifest> };
const root = lock.packages[''];

// The fields npm copies from package.json into the lock's root entry.
const copied = [
  'name',
  'version',
  'license',
  'engines',
  'os',
  'cpu',
  'workspaces',
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bundleDependencies',
];
// npm writes bin paths without a leading "./".
const bin = (entry: Manifest) =>
  entry.bin && Object.fromEntries(Object.entries(entry.bin).map(([k, v]) => [k, v.replace(/^\.\//, '')]));

describe('package-lock.json', () => {
  it('has a root entry that says what package.json says', () => {
    for (const field of copied) {
      assert.deepEqual(root[field], manifest[field], `"${field}" of package.json and the lock's root entry`);
    }
    assert.deepEqual(bin(root), bin(manifest), '"bin"');
    assert.deepEqual([lock.name, lock.version], [manifest.name, manifest.version]);
  });

  it('locks every dependency package.json declares', () => {
    const declared = { ...(manifest.dependencies as object), ...(manifest.devDependencies as object) };
    const missing = Object.keys(declared).filter((name) => lock.packages[`node_modules/${name}`] === undefined);
    assert.deepEqual(missing, []);
  });
});
