import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import {
  argon2Options,
  checkPassword,
  createPasswordHasher,
  type PasswordHasher,
  type PasswordPolicy,
} from './passwords.ts';
import { isBreachedPassword } from './breached.ts';

const policy: PasswordPolicy = {
  minLength: 15,
  minLengthWithSecondFactor: 8,
  maxLength: 1024,
  isBreached: isBreachedPassword,
};
// "Crème brûlée au café" typed on most keyboards (NFC) and as macOS sends it (NFD, accents as combining marks).
const composed = 'Crème brûlée au café'.normalize('NFC');
const decomposed = composed.normalize('NFD');

describe('password rules', () => {
  it('counts code points after NFC normalisation (NIST SP 800-63B §3.1.1.2) and keeps the NFC form', () => {
    const fourteen = 'é'.repeat(14);
    // 28 code points as typed in NFD, 14 characters as a person counts them: too short.
    assert.throws(() => checkPassword(policy, fourteen.normalize('NFD')), { code: 'identity.password_too_short' });
    assert.equal(checkPassword(policy, 'é'.repeat(15).normalize('NFD')), 'é'.repeat(15).normalize('NFC'));
    assert.equal(checkPassword(policy, decomposed), composed);
    // 1,024 characters typed in NFD are 2,048 code points, and still within the limit.
    assert.equal([...checkPassword(policy, 'é'.repeat(1024).normalize('NFD'))].length, 1024);
    assert.throws(() => checkPassword(policy, 'é'.repeat(1025)), {
      code: 'identity.password_too_long',
      params: { max: 1024 },
    });
  });

  it('asks 15 characters of a password alone and 8 of one used with a second factor', () => {
    assert.throws(() => checkPassword(policy, 'fourteen chars'), {
      code: 'identity.password_too_short',
      params: { min: 15 },
    });
    assert.ok(checkPassword(policy, 'fifteen chars!!'));
    assert.throws(() => checkPassword(policy, 'fourteen chars', { secondFactor: false }), { params: { min: 15 } });
    assert.equal(checkPassword(policy, 'tall tree', { secondFactor: true }), 'tall tree');
    assert.throws(() => checkPassword(policy, 'seven c', { secondFactor: true }), {
      code: 'identity.password_too_short',
      params: { min: 8 },
    });
    // The breached list and the e-mail rule apply whatever the length.
    assert.throws(() => checkPassword(policy, 'baseball', { secondFactor: true }), {
      code: 'identity.password_breached',
    });
    assert.throws(() => checkPassword(policy, 'ana@example.com', { email: 'ana@example.com' }), {
      code: 'identity.password_equals_email',
    });
  });
});

describe('password hashing', () => {
  let hasher: PasswordHasher;
  before(async () => {
    hasher = await createPasswordHasher();
  });

  it('hashes the NFC form, so either form typed later matches', async () => {
    const hash = await hasher.hash(decomposed);
    assert.equal(await argon2.verify(hash, composed), true, 'the stored hash is of the NFC form');
    assert.equal(await hasher.verify(hash, composed), 'match');
    assert.equal(await hasher.verify(hash, decomposed), 'match');
    assert.equal(await hasher.verify(hash, 'Creme brulee au cafe'), false);
  });

  it('still matches a hash made from the NFD form as typed (before normalisation) and says it must be rehashed', async () => {
    const legacy = await argon2.hash(decomposed, argon2Options);
    assert.equal(await hasher.verify(legacy, decomposed), 'stale_form');
    assert.equal(await hasher.verify(legacy, composed), 'stale_form');
    assert.equal(await hasher.verify(legacy, 'Crème brûlée au thé'), false);
    // A password that normalisation does not change has one form: one run, and a plain answer.
    const ascii = await argon2.hash('plain ascii passphrase', argon2Options);
    assert.equal(await hasher.verify(ascii, 'plain ascii passphrase'), 'match');
    assert.equal(await hasher.verify(ascii, 'plain ascii passphrasE'), false);
  });

  it('answers false for a dummy check in either form', async () => {
    assert.equal(await hasher.verifyDummy(decomposed), false);
    assert.equal(await hasher.verifyDummy(composed), false);
  });
});
