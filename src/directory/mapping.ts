// Turning a directory entry into a DirectoryUser, with the preset and the configured attribute names.
import type { Client, Entry } from 'ldapts';
import { DirectoryMisconfiguredError } from './errors.ts';
import { first, firstRdnValue, values } from './entry.ts';
import { compileFilter } from './filter.ts';
import type { AttributeMap, Preset } from './preset.ts';
import type { AccountStatus, DirectoryUser } from './user.ts';

export interface Mapping {
  preset: Preset;
  attributes: AttributeMap;
  userFilter: string;
  baseDn: string;
  groupBaseDn: string;
}

/** Everything one user search asks for. */
export function userAttributes(m: Mapping): string[] {
  const a = m.attributes;
  return [...new Set([a.login, a.email, a.displayName, a.employeeId, a.stableId, ...m.preset.statusAttributes])];
}

export async function searchUsers(client: Client, m: Mapping, filter: string, sizeLimit: number): Promise<Entry[]> {
  const { searchEntries } = await client.search(m.baseDn, {
    scope: 'sub',
    filter: compileFilter(filter),
    attributes: userAttributes(m),
    explicitBufferAttributes: m.preset.binaryAttributes,
    sizeLimit,
  });
  return searchEntries;
}

export async function groupsOf(client: Client, m: Mapping, entry: Entry): Promise<string[]> {
  const source = m.preset.groups;
  if (source.kind === 'memberOf') return values(entry, source.attribute).map(firstRdnValue).filter((g) => g !== '');
  const { searchEntries } = await client.search(m.groupBaseDn, {
    scope: 'sub', filter: compileFilter(source.filterFor(entry.dn)), attributes: ['cn'],
  });
  return searchEntries.map((g) => first(g, 'cn') ?? firstRdnValue(g.dn)).sort();
}

export function toUser(m: Mapping, entry: Entry, groups: string[], status: AccountStatus): DirectoryUser {
  const a = m.attributes;
  const stableId = m.preset.stableIdOf(entry, a.stableId);
  // Without a stable id sync could not follow the person: a mapping mistake, not a sign-in failure.
  if (stableId === null) throw new DirectoryMisconfiguredError(`the entry has no ${a.stableId}; check attributes.stableId`);
  const username = first(entry, a.login) ?? firstRdnValue(entry.dn);
  return {
    stableId,
    username,
    email: first(entry, a.email),
    displayName: first(entry, a.displayName) ?? first(entry, 'cn') ?? username,
    employeeId: first(entry, a.employeeId),
    groups,
    disabled: status.disabled || status.locked || status.accountExpired,
  };
}
