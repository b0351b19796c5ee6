// Turning a directory entry into a DirectoryUser, with the preset and the configured attribute names.
import { AndFilter, type Client, type Entry, type Filter } from 'ldapts';
import { DirectoryMisconfiguredError } from './errors.ts';
import { first, firstRdnValue, values } from './entry.ts';
import { compileFilter, equalityFilter } from './filter.ts';
import type { AttributeMap, GroupSource, Preset } from './preset.ts';
import { toE164 } from './phone.ts';
import type { AccountStatus, DirectoryUser } from './user.ts';

export interface Mapping {
  preset: Preset;
  attributes: AttributeMap;
  groups: GroupSource;
  userFilter: string;
  baseDn: string;
  groupBaseDn: string;
  /** The country of mobile numbers written without their country code. */
  phoneRegion?: string;
}

/** A Mapping with what every search repeats worked out once. */
export interface CompiledMapping extends Mapping {
  /** Everything one user search asks for. */
  userAttributes: string[];
  /** userFilter, parsed. Filters are only read when a request is written, so one object serves every search. */
  compiledUserFilter: Filter;
}

const memberOf = 'memberOf';

export function compileMapping(m: Mapping): CompiledMapping {
  const a = m.attributes;
  return {
    ...m,
    // memberOf is operational where an overlay keeps it (OpenLDAP): it comes only when named.
    userAttributes: [
      ...new Set([
        a.login,
        a.email,
        a.displayName,
        a.employeeId,
        a.givenName,
        a.surname,
        a.mobile,
        a.stableId,
        ...m.preset.statusAttributes,
        ...(m.groups === 'memberOf' ? [memberOf] : []),
      ]),
    ],
    compiledUserFilter: compileFilter(m.userFilter),
  };
}

/** The people matching userFilter whose `attribute` equals `value` (escaped: a value is never filter syntax). */
export async function searchUsers(
  client: Client,
  m: CompiledMapping,
  attribute: string,
  value: string | Uint8Array,
  sizeLimit: number,
): Promise<Entry[]> {
  const { searchEntries } = await client.search(m.baseDn, {
    scope: 'sub',
    filter: new AndFilter({ filters: [m.compiledUserFilter, equalityFilter(attribute, value)] }),
    attributes: m.userAttributes,
    explicitBufferAttributes: m.preset.binaryAttributes,
    sizeLimit,
  });
  return searchEntries;
}

export async function groupsOf(client: Client, m: Mapping, entry: Entry): Promise<string[]> {
  if (m.groups === 'memberOf')
    return values(entry, memberOf)
      .map(firstRdnValue)
      .filter((g) => g !== '');
  const { searchEntries } = await client.search(m.groupBaseDn, {
    scope: 'sub',
    filter: compileFilter(m.preset.memberSearchFilter({ dn: entry.dn, login: first(entry, m.attributes.login) })),
    attributes: ['cn'],
  });
  return searchEntries.map((g) => first(g, 'cn') ?? firstRdnValue(g.dn)).sort();
}

export function toUser(m: Mapping, entry: Entry, groups: string[], status: AccountStatus): DirectoryUser {
  const a = m.attributes;
  const stableId = m.preset.stableIdOf(entry, a.stableId);
  // Without a stable id sync could not follow the person: a mapping mistake, not a sign-in failure.
  if (stableId === null)
    throw new DirectoryMisconfiguredError(`the entry has no ${a.stableId}; check attributes.stableId`);
  const username = first(entry, a.login) ?? firstRdnValue(entry.dn);
  return {
    stableId,
    dn: entry.dn,
    username,
    email: first(entry, a.email),
    displayName: first(entry, a.displayName) ?? first(entry, 'cn') ?? username,
    employeeId: first(entry, a.employeeId),
    givenName: first(entry, a.givenName),
    surname: first(entry, a.surname),
    mobile: toE164(first(entry, a.mobile), m.phoneRegion),
    groups,
    disabled: status.disabled || status.locked || status.accountExpired,
  };
}
