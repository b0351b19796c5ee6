// ASVS V6.2.4 / NIST 800-63B: refuse passwords known from breaches. The list (≈49,000 of the most common
// passwords seen in breaches, from zxcvbn-ts) ships with Tessera and is checked offline; product words are added.
import { dictionary } from '@zxcvbn-ts/language-common';

const productWords = ['tessera', 'tessera123', 'password1!', 'changeme', 'welcome1'];

// Built once when the module loads (a few milliseconds) and never changed: constant data, not state.
const list: ReadonlySet<string> = new Set(
  [...(dictionary['passwords-common'] as string[]), ...productWords].map((p) => p.toLowerCase()),
);

export function isBreachedPassword(password: string): boolean {
  return list.has(password.normalize('NFC').toLowerCase());
}
