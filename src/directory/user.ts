// What the rest of Tessera learns about a directory person.

export interface DirectoryUser {
  /** objectGUID (AD, as the usual `xxxxxxxx-xxxx-…` text) or entryUUID (OpenLDAP): survives renames. */
  stableId: string;
  /** The entry's distinguished name as the directory gives it: where the person sits (their OU). */
  dn: string;
  /** The account name as the directory spells it (sAMAccountName / uid), not as typed. */
  username: string;
  email: string | null;
  displayName: string;
  employeeId: string | null;
  /** Given name and surname (givenName, sn); null when the directory has none. */
  givenName: string | null;
  surname: string | null;
  /** The mobile number in E.164 (`+40721234567`); null when the directory has none or an unreadable one. */
  mobile: string | null;
  /** Names (first RDN value) of the groups the person is a direct member of. */
  groups: string[];
  /** Disabled, locked or expired: such a person cannot sign in now (sync uses this). */
  disabled: boolean;
}

/** The account flags a preset reads from an entry. */
export interface AccountStatus {
  disabled: boolean;
  locked: boolean;
  accountExpired: boolean;
  passwordExpired: boolean;
}
