// ASVS V6.2.4 / NIST 800-63B: refuse passwords known from breaches. The list (≈49,000 of the most common
// passwords seen in breaches, from zxcvbn-ts) ships with Tessera and is checked offline; product words are added.
import { dictionary } from '@zxcvbn-ts/language-common';

const productWords = ['tessera', 'tessera123', 'password1!', 'changeme', 'welcome1'];

let list: Set<string> | undefined;

export function isBreachedPassword(password: string): boolean {
  list ??= new Set([...(dictionary['passwords-common'] as string[]), ...productWords].map((p) => p.toLowerCase()));
  return list.has(password.normalize('NFC').toLowerCase());
}
