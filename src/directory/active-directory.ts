// Active Directory: sAMAccountName logins, memberOf, userAccountControl flags, FILETIME dates, objectGUID.
import type { Entry } from 'ldapts';
import {
  AccountDisabledError,
  AccountExpiredError,
  AccountLockedError,
  PasswordExpiredError,
  type DirectoryError,
} from './errors.ts';
import { first, firstBuffer } from './entry.ts';
import { and, equals } from './filter.ts';
import type { Preset } from './preset.ts';

// [MS-ADTS] 2.2.16 userAccountControl bits.
const UF_ACCOUNTDISABLE = 0x2;
const UF_LOCKOUT = 0x10;
const UF_DONT_EXPIRE_PASSWD = 0x10000;
const UF_PASSWORD_EXPIRED = 0x800000;
// FILETIME counts 100 ns since 1601-01-01; 0 and 2^63-1 mean "never" for accountExpires.
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;
const NEVER = 0x7fffffffffffffffn;

function filetimeMs(value: string | null): number | null {
  if (value === null || !/^-?\d+$/.test(value)) return null;
  const ft = BigInt(value);
  if (ft <= 0n || ft >= NEVER) return null;
  return Number(ft / 10_000n - FILETIME_EPOCH_OFFSET_MS);
}

function flags(entry: Entry): number {
  // The constructed msDS-User-Account-Control-Computed is the one AD keeps lockout and expiry in.
  const stored = Number(first(entry, 'userAccountControl') ?? 0);
  const computed = Number(first(entry, 'msDS-User-Account-Control-Computed') ?? 0);
  return (Number.isFinite(stored) ? stored : 0) | (Number.isFinite(computed) ? computed : 0);
}

/** objectGUID bytes → `00112233-…` as AD tools print it (first three groups little-endian). */
export function guidToString(bytes: Buffer): string {
  const hex = (b: Buffer) => b.toString('hex');
  const le = (start: number, end: number) => hex(Buffer.from(bytes.subarray(start, end)).reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}

export function guidToBytes(text: string): Buffer | null {
  const m = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(text.trim());
  if (!m) return null;
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(m[1]), le(m[2]), le(m[3]), Buffer.from(m[4], 'hex'), Buffer.from(m[5], 'hex')]);
}

// AD's bind diagnostic "80090308: LdapErr: …, data 533, …": the sub-code says why (MS "LDAP error 49" codes).
// AD only sends 530–533, 701 and 773 when the password itself was right.
const dataCodes: Record<string, (d: string) => DirectoryError> = {
  '530': (d) => new AccountDisabledError(d), // not permitted to log on at this time
  '531': (d) => new AccountDisabledError(d), // not permitted to log on at this workstation
  '532': (d) => new PasswordExpiredError(d),
  '533': (d) => new AccountDisabledError(d),
  '701': (d) => new AccountExpiredError(d),
  '773': (d) => new PasswordExpiredError(d), // must reset password
  '775': (d) => new AccountLockedError(d),
};

export const activeDirectory: Preset = {
  defaultUserFilter: '(&(objectCategory=person)(objectClass=user))',
  defaultAttributes: {
    login: 'sAMAccountName',
    email: 'mail',
    displayName: 'displayName',
    employeeId: 'employeeID',
    givenName: 'givenName',
    surname: 'sn',
    mobile: 'mobile',
    stableId: 'objectGUID',
  },
  statusAttributes: ['userAccountControl', 'msDS-User-Account-Control-Computed', 'accountExpires', 'pwdLastSet', 'cn'],
  binaryAttributes: ['objectGUID'],
  groups: 'memberOf',
  memberSearchFilter: ({ dn }) => and('(objectClass=group)', equals('member', dn)),
  stableIdOf(entry, attribute) {
    const bytes = firstBuffer(entry, attribute);
    if (bytes === null) return null;
    return bytes.length === 16 ? guidToString(bytes) : bytes.toString('hex');
  },
  stableIdValue: (id) => guidToBytes(id),
  status(entry, nowMs, options) {
    const uac = flags(entry);
    const expiresMs = filetimeMs(first(entry, 'accountExpires'));
    const pwdLastSet = first(entry, 'pwdLastSet');
    // pwdLastSet 0 is "user must change password at next logon".
    let passwordExpired = (uac & UF_PASSWORD_EXPIRED) !== 0 || pwdLastSet === '0';
    const setMs = filetimeMs(pwdLastSet);
    if (options.maxPasswordAgeDays !== undefined && setMs !== null && (uac & UF_DONT_EXPIRE_PASSWD) === 0) {
      passwordExpired ||= setMs + options.maxPasswordAgeDays * 86_400_000 <= nowMs;
    }
    return {
      disabled: (uac & UF_ACCOUNTDISABLE) !== 0,
      locked: (uac & UF_LOCKOUT) !== 0,
      accountExpired: expiresMs !== null && expiresMs <= nowMs,
      passwordExpired,
    };
  },
  bindFailure(diagnostic) {
    const m = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic);
    const make = m ? dataCodes[m[1].toLowerCase()] : undefined;
    return make ? make(diagnostic) : null;
  },
};
