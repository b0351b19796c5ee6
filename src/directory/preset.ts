// A preset knows one kind of directory: which attributes mean what, how groups are found,
// and how account flags and bind diagnostics are read. The source code never switches on the kind.
import type { Entry } from 'ldapts';
import type { DirectoryError } from './errors.ts';
import type { AccountStatus } from './user.ts';

export interface AttributeMap {
  login: string;
  email: string;
  displayName: string;
  employeeId: string;
  givenName: string;
  surname: string;
  /** The mobile number SMS codes go to (never one the person types). */
  mobile: string;
  stableId: string;
}

export type GroupSource = 'memberOf' | 'memberSearch';

export interface Preset {
  defaultUserFilter: string;
  defaultAttributes: AttributeMap;
  /** Extra attributes to read for account flags and groups (operational ones must be named). */
  statusAttributes: string[];
  /** Attributes to receive as raw bytes. */
  binaryAttributes: string[];
  /** How groups are found unless configured: `memberOf` on the person's entry (AD), or a search (OpenLDAP). */
  groups: GroupSource;
  /** For a search: groups that list this person, by DN or (posixGroup) by login name. */
  memberSearchFilter(person: { dn: string; login: string | null }): string;
  /** The stable id as text, from the entry. */
  stableIdOf(entry: Entry, attribute: string): string | null;
  /** The equality value to search a stable id with; null when the text cannot be one. */
  stableIdValue(id: string): string | Buffer | null;
  status(entry: Entry, nowMs: number, options: { maxPasswordAgeDays?: number }): AccountStatus;
  /** A failed user bind's diagnostic that names a precise reason (AD's `data 533`), or null. */
  bindFailure(diagnostic: string): DirectoryError | null;
}
