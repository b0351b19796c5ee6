// OpenLDAP: uid logins, groups found by `member`, `uniqueMember` or `memberUid`, entryUUID, ppolicy and shadow account flags.
import { first } from './entry.ts';
import { and, equals, or } from './filter.ts';
import type { Preset } from './preset.ts';

const dayMs = 86_400_000;
// ppolicy (draft-behera) writes this value when an administrator locks an account for good.
const ADMIN_LOCK = '000001010000Z';

function days(value: string | null): number | null {
  if (value === null || !/^-?\d+$/.test(value)) return null;
  return Number(value);
}

export const openLdap: Preset = {
  defaultUserFilter: '(objectClass=inetOrgPerson)',
  defaultAttributes: {
    login: 'uid',
    email: 'mail',
    displayName: 'cn',
    employeeId: 'employeeNumber',
    givenName: 'givenName',
    surname: 'sn',
    mobile: 'mobile',
    stableId: 'entryUUID',
  },
  statusAttributes: [
    'pwdAccountLockedTime',
    'pwdReset',
    'nsAccountLock',
    'shadowExpire',
    'shadowLastChange',
    'shadowMax',
    'cn',
  ],
  binaryAttributes: [],
  groups: 'memberSearch',
  // RFC 2307 posixGroup lists login names, not DNs: many OpenLDAP directories keep their groups that way.
  memberSearchFilter: ({ dn, login }) =>
    or(
      and('(objectClass=groupOfNames)', equals('member', dn)),
      and('(objectClass=groupOfUniqueNames)', equals('uniqueMember', dn)),
      ...(login === null ? [] : [and('(objectClass=posixGroup)', equals('memberUid', login))]),
    ),
  stableIdOf: (entry, attribute) => first(entry, attribute),
  stableIdValue: (id) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id.trim()) ? id.trim().toLowerCase() : null,
  status(entry, nowMs) {
    const today = Math.floor(nowMs / dayMs);
    const locked = first(entry, 'pwdAccountLockedTime');
    // shadow(5): the account is unusable from day shadowExpire on; -1 means never.
    const expireDay = days(first(entry, 'shadowExpire'));
    const lastChange = days(first(entry, 'shadowLastChange'));
    const maxDays = days(first(entry, 'shadowMax'));
    const shadowStale =
      lastChange !== null && (lastChange === 0 || (maxDays !== null && maxDays >= 0 && lastChange + maxDays <= today));
    return {
      disabled: locked === ADMIN_LOCK || (first(entry, 'nsAccountLock') ?? '').toLowerCase() === 'true',
      locked: locked !== null && locked !== ADMIN_LOCK,
      accountExpired: expireDay !== null && expireDay >= 0 && expireDay <= today,
      passwordExpired: shadowStale || (first(entry, 'pwdReset') ?? '').toUpperCase() === 'TRUE',
    };
  },
  // slapd's ppolicy explains through a response control, not the diagnostic text; flags are read instead.
  bindFailure: () => null,
};
