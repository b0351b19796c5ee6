// One-time codes as a person's authenticator app makes them: the real oathtool (Debian package oathtool).
import { execFileSync } from 'node:child_process';
import type { TesseraServer } from '../../src/server.ts';

/** The TOTP code for a base32 key at `atMs` (now by default), computed by oathtool, not by Tessera's own code. */
export const oathtool = (key: string, atMs = Date.now()) =>
  execFileSync('oathtool', ['--totp', '-b', `--now=@${Math.floor(atMs / 1000)}`, key.replace(/\s/g, '')], {
    encoding: 'utf8',
  }).trim();

/**
 * Registers an authenticator app for the account and confirms it with the previous step's code, so the current
 * step's code is still unused for the test. Returns the base32 key the app holds.
 */
export async function enrolMobileToken(
  tessera: Pick<TesseraServer, 'otp'>,
  accountId: string,
  label: string,
): Promise<string> {
  const enrolment = await tessera.otp.beginEnrolment(accountId, label, 'mobile', { proof: 'registration' });
  // Near the end of a step the confirmation could land two steps after that code, outside the ±1 window: wait for the
  // next step to begin first (a CI run failed once that way on a loaded machine).
  const leftInStep = 30_000 - (Date.now() % 30_000);
  if (leftInStep < 2_000) await new Promise((resolve) => setTimeout(resolve, leftInStep + 50));
  await tessera.otp.confirmEnrolment(
    accountId,
    enrolment.tokenId,
    oathtool(enrolment.secretBase32, Date.now() - 30_000),
    { proof: 'registration' },
  );
  return enrolment.secretBase32;
}
