// The directory (Active Directory / OpenLDAP) user source: the only door into src/directory.
export { createDirectorySource, type DirectorySource } from './source.ts';
export {
  directoryConfigSchema,
  directoryAttributesSchema,
  type DirectoryConfig,
  type DirectoryConfigInput,
} from './config.ts';
export type { DirectoryUser } from './user.ts';
export {
  DirectoryError,
  WrongPasswordError,
  EmptyPasswordError,
  PasswordTooLongError,
  InvalidNameError,
  AccountDisabledError,
  AccountLockedError,
  AccountExpiredError,
  PasswordExpiredError,
  AmbiguousUserError,
  DirectoryUnreachableError,
  DirectoryMisconfiguredError,
  type DirectoryErrorCode,
} from './errors.ts';
export { escapeFilterValue } from './filter.ts';
export { isAtOrBelow, normaliseDn, parseDn } from './dn.ts';
