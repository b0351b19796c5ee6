// People type their name as `alice`, `CORP\alice` or `alice@corp.example.org`; all three mean one lookup.
import { InvalidNameError } from './errors.ts';

export interface ParsedName {
  /** The account name alone, as looked up in the login attribute. */
  account: string;
  /** The NetBIOS or DNS domain the person typed, lower-cased; null when none. */
  domain: string | null;
}

// Longer than any AD (256 for a UPN) or OpenLDAP name we expect; stops huge inputs before the network.
export const maxNameLength = 256;

export function parseSignInName(input: string): ParsedName {
  if (typeof input !== 'string') throw new InvalidNameError('not text');
  if (input.length > maxNameLength * 4) throw new InvalidNameError('too long');
  // A lone surrogate would be replaced by U+FFFD on the wire and could match another name.
  if (!input.isWellFormed()) throw new InvalidNameError('not valid Unicode');
  // NFC: a name typed on a system that composes characters differently still finds the same entry.
  const name = input.trim().normalize('NFC');
  if (name === '') throw new InvalidNameError('empty');
  if (name.length > maxNameLength) throw new InvalidNameError('too long');
  let account = name;
  let domain: string | null = null;
  const backslash = name.indexOf('\\');
  if (backslash > 0) {
    domain = name.slice(0, backslash);
    account = name.slice(backslash + 1);
  } else {
    const at = name.lastIndexOf('@');
    if (at > 0 && at < name.length - 1) {
      account = name.slice(0, at);
      domain = name.slice(at + 1);
    }
  }
  if (account === '') throw new InvalidNameError('empty');
  return { account, domain: domain === null ? null : domain.toLowerCase() };
}

/** With `domains` configured, a name typed with another domain is not ours (it is treated as unknown). */
export function domainAllowed(parsed: ParsedName, domains: readonly string[]): boolean {
  if (parsed.domain === null || domains.length === 0) return true;
  return domains.some((d) => d.toLowerCase() === parsed.domain);
}
