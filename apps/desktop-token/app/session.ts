// What the CLI and the local page share: the registration's last steps (the device's salted serial hash sent, the
// seed received once, its first code confirmed, the vault written under the PIN) and the clock check.
import { base32Decode } from '../../../src/otp/index.ts';
import { checkPin, codeAt, effectiveSecret, TokenError, type DesktopToken } from '../core/index.ts';
import type { TesseraApi } from './api.ts';

export interface Registered {
  serial: string;
  replaced: string[];
}

/**
 * Called once the flow's code step is passed. The PIN is checked before anything is asked of the server, so a PIN
 * refused locally never leaves a half-made token behind.
 */
export async function finishRegistration(
  api: TesseraApi,
  token: DesktopToken,
  input: { pin: string; account: string; now?: () => number },
): Promise<Registered> {
  checkPin(input.pin);
  const now = input.now ?? Date.now;
  const proof = await token.deviceProof();
  const registration = await api.registerDesktop(proof.serialHash);
  const secret = effectiveSecret(base32Decode(registration.secret), proof.serialHash);
  const contents = {
    seed: registration.secret,
    tokenSerial: registration.serial,
    server: api.server,
    account: input.account,
    registeredAt: now(),
  };
  // The vault is written first and put back if the server refuses the first code: a token confirmed but not kept
  // would have replaced the person's old one for nothing.
  // The previous step's code (accepted within the window), so the code shown next is still unused and opens the
  // VPN at once; a clock a little behind gets the current one as a second try.
  const confirm = () =>
    api.confirm(codeAt(secret, now() - 30_000).code).catch((err) => {
      if (!(err instanceof TokenError && err.detail === 'otp.wrong_code')) throw err;
      return api.confirm(codeAt(secret, now()).code);
    });
  const confirmed = await token.store(contents, input.pin, proof, confirm);
  return { serial: confirmed!.serial, replaced: confirmed!.replaced };
}

/** Seconds this PC's clock is ahead of the server's (negative: behind), or undefined when it could not be asked. */
export async function clockOffsetSeconds(api: TesseraApi, now: () => number = Date.now): Promise<number | undefined> {
  try {
    const sent = now();
    const server = await api.time();
    const received = now();
    return Math.round(((sent + received) / 2 - server) / 1000);
  } catch {
    return undefined;
  }
}

/** A TOTP code is accepted within about a step of the server's time; more than 15 s off is worth saying. */
export const clockWarningSeconds = 15;
