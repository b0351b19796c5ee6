// The directory user source: sign-in by search-then-bind, lookup by stable id for sync, employee id check.
import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidCredentialsError, NoSuchObjectError, type Entry } from 'ldapts';
import type { Clock } from '../clock/index.ts';
import { activeDirectory } from './active-directory.ts';
import { directoryConfigSchema, type DirectoryConfig, type DirectoryConfigInput } from './config.ts';
import { firstLine, isDirectoryAnswer, type ConnectionSettings } from './connection.ts';
import {
  AccountDisabledError,
  AccountExpiredError,
  AccountLockedError,
  AmbiguousUserError,
  DirectoryError,
  DirectoryMisconfiguredError,
  DirectoryUnreachableError,
  EmptyPasswordError,
  InvalidNameError,
  PasswordExpiredError,
  PasswordTooLongError,
  WrongPasswordError,
} from './errors.ts';
import { first } from './entry.ts';
import { compileMapping, groupsOf, searchUsers, toUser, type CompiledMapping } from './mapping.ts';
import { domainAllowed, parseSignInName } from './names.ts';
import { openLdap } from './openldap.ts';
import { toE164 } from './phone.ts';
import { BindPool, ServicePool } from './pool.ts';
import type { Preset } from './preset.ts';
import type { AccountStatus, DirectoryUser } from './user.ts';

export interface DirectorySource {
  /** Search-then-bind. Resolves with the person, or rejects with a DirectoryError whose `code` says why. */
  authenticate(name: string, password: string): Promise<DirectoryUser>;
  /** For periodic sync: the person now, or null when the entry is gone (or no longer matches userFilter). */
  findByStableId(id: string): Promise<DirectoryUser | null>;
  /** Whether `typed` (trimmed) is the person's employee id, compared in constant time; never reveals the right one. */
  checkEmployeeId(username: string, typed: string): Promise<boolean>;
  /** The person's mobile number in E.164 (the one SMS codes go to), null when the directory holds none usable. */
  mobileOf(username: string): Promise<string | null>;
  /**
   * For an operator checking the configuration (`tessera directory check`): the entry a sign-in name finds and the
   * person Tessera maps it to, without a password; null when no entry matches.
   */
  describe(name: string): Promise<{ dn: string; person: DirectoryUser; status: AccountStatus } | null>;
  /** The person a sign-in name finds, without a password (the helpdesk naming someone); null when none matches. */
  findByName(name: string): Promise<DirectoryUser | null>;
  /** The one person with this employee ID (the helpdesk's search); null when nobody, or more than one, has it. */
  findByEmployeeId(id: string): Promise<DirectoryUser | null>;
  close(): Promise<void>;
}

type SourceDeps = { clock: Clock; onServerFailed?: ConnectionSettings['onServerFailed'] };

function compileConfiguredMapping(config: DirectoryConfig, preset: Preset): CompiledMapping {
  return compileMapping({
    preset,
    attributes: { ...preset.defaultAttributes, ...config.attributes },
    groups: config.groups ?? preset.groups,
    userFilter: config.userFilter ?? preset.defaultUserFilter,
    baseDn: config.baseDn,
    groupBaseDn: config.groupBaseDn ?? config.baseDn,
    phoneRegion: config.phoneRegion,
  });
}

function connectionSettings(config: DirectoryConfig, deps: SourceDeps): ConnectionSettings {
  return {
    urls: config.urls,
    ca: config.tls.caFile === undefined ? undefined : readFileSync(config.tls.caFile, 'utf8'),
    startTls: config.tls.startTls,
    connectTimeoutMs: config.connectTimeoutMs,
    operationTimeoutMs: config.operationTimeoutMs,
    onServerFailed: deps.onServerFailed,
  };
}

// What is neither the directory's answer nor ours is the network's doing: reported as unreachable, never as
// something the person did.
const unreachable = (err: unknown) => new DirectoryUnreachableError(firstLine(err), err);

// Whether `typed` is the employee id `actual` (null: the person has none, or there is no such person).
function sameEmployeeId(actual: string | null, typed: unknown): boolean {
  const given = typeof typed === 'string' ? typed.trim() : '';
  // As the directory would compare them: trimmed and without case (inetOrgPerson's employeeNumber has
  // caseIgnoreMatch, RFC 2798; AD compares employeeID without case).
  const comparable = (s: string) => s.trim().normalize('NFC').toUpperCase();
  // Hashing first gives equal lengths, so timingSafeEqual leaks neither the value nor its length.
  const digest = (s: string) => createHash('sha256').update(comparable(s), 'utf8').digest();
  const same = timingSafeEqual(digest(given), digest(actual ?? ''));
  return same && actual !== null && given !== '';
}

// The directory operations the source is made of, on the two pools: searches as the service account, binds as
// the person.
function createDirectoryAccess(config: DirectoryConfig, preset: Preset, m: CompiledMapping, deps: SourceDeps) {
  const settings = connectionSettings(config, deps);
  const pool = new ServicePool(settings, config.bindDn, config.bindPassword, config.poolSize);
  const binds = new BindPool(settings, config.poolSize);
  const statusOptions = { maxPasswordAgeDays: config.maxPasswordAgeDays };

  // Directory answers that only a configuration mistake explains are reported as such, not as a user's fault.
  async function service<T>(work: Parameters<typeof pool.use<T>>[0]): Promise<T> {
    try {
      return await pool.use(work);
    } catch (err) {
      if (err instanceof DirectoryError) throw err;
      if (err instanceof InvalidCredentialsError)
        throw new DirectoryMisconfiguredError('the service account bind was refused', err.message);
      if (err instanceof NoSuchObjectError) throw new DirectoryMisconfiguredError('baseDn does not exist', err.message);
      if (isDirectoryAnswer(err))
        throw new DirectoryMisconfiguredError(`the directory refused a search (${err.code})`, err.message);
      throw unreachable(err);
    }
  }

  const statusOf = (entry: Entry) => preset.status(entry, deps.clock.now(), statusOptions);
  // Groups are read at every sign-in and lookup: they are what apps and the VPN decide on.
  const personOf = async (entry: Entry, status = statusOf(entry)) =>
    toUser(m, entry, await service((c) => groupsOf(c, m, entry)), status);

  async function findByLogin(account: string): Promise<Entry | null> {
    const entries = await service((c) => searchUsers(c, m, m.attributes.login, account, 2));
    if (entries.length > 1) throw new AmbiguousUserError();
    return entries[0] ?? null;
  }

  // Binds as the user on a connection of the bind pool, never on a service connection: those keep their identity.
  async function bindAs(dn: string, password: string): Promise<void> {
    try {
      await binds.bind(dn, password);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) {
        throw preset.bindFailure(err.message) ?? new WrongPasswordError();
      }
      if (err instanceof DirectoryError) throw err;
      if (isDirectoryAnswer(err))
        throw new DirectoryMisconfiguredError(`the directory refused the bind (${err.code})`, err.message);
      throw unreachable(err);
    }
  }

  // Unknown names cost a bind too, so that timing does not tell which names exist (checklist T6).
  async function refuseUnknown(password: string): Promise<never> {
    await bindAs(`cn=tessera-no-such-user,${config.baseDn}`, password);
    throw new WrongPasswordError();
  }

  const close = async () => {
    await Promise.all([pool.close(), binds.close()]);
  };

  return { service, statusOf, personOf, findByLogin, bindAs, refuseUnknown, close };
}

export function createDirectorySource(input: DirectoryConfigInput, deps: SourceDeps): DirectorySource {
  const config = directoryConfigSchema.parse(input);
  const preset = config.preset === 'activeDirectory' ? activeDirectory : openLdap;
  const m = compileConfiguredMapping(config, preset);
  const { service, statusOf, personOf, findByLogin, bindAs, refuseUnknown, close } = createDirectoryAccess(
    config,
    preset,
    m,
    deps,
  );

  async function describe(name: string) {
    const parsed = parseSignInName(name);
    if (!domainAllowed(parsed, config.domains)) return null;
    const entry = await findByLogin(parsed.account);
    if (entry === null) return null;
    const status = statusOf(entry);
    return { dn: entry.dn, person: await personOf(entry, status), status };
  }

  return {
    async authenticate(name, password) {
      // Both checks come before any network traffic: an empty password must never reach a bind (CVE-2022-0730).
      if (typeof password !== 'string' || password.length === 0) throw new EmptyPasswordError();
      if (Buffer.byteLength(password, 'utf8') > config.maxPasswordBytes)
        throw new PasswordTooLongError(config.maxPasswordBytes);
      const parsed = parseSignInName(name);
      if (!domainAllowed(parsed, config.domains)) return refuseUnknown(password);
      const entry = await findByLogin(parsed.account);
      if (entry === null) return refuseUnknown(password);
      await bindAs(entry.dn, password);
      // The password is proven: only now may the account's state be told.
      const status = statusOf(entry);
      if (status.disabled) throw new AccountDisabledError();
      if (status.locked) throw new AccountLockedError();
      if (status.accountExpired) throw new AccountExpiredError();
      if (status.passwordExpired) throw new PasswordExpiredError();
      return personOf(entry, status);
    },

    async findByStableId(id) {
      const value = typeof id === 'string' ? preset.stableIdValue(id) : null;
      if (value === null) return null;
      const entries = await service((c) => searchUsers(c, m, m.attributes.stableId, value, 2));
      if (entries.length !== 1) return null;
      return personOf(entries[0]);
    },

    async checkEmployeeId(username, typed) {
      let entry: Entry | null = null;
      try {
        entry = await findByLogin(parseSignInName(username).account);
      } catch (err) {
        if (!(err instanceof InvalidNameError)) throw err;
      }
      return sameEmployeeId(entry === null ? null : first(entry, m.attributes.employeeId), typed);
    },

    async mobileOf(username) {
      const entry = await findByLogin(parseSignInName(username).account);
      return entry === null ? null : toE164(first(entry, m.attributes.mobile), config.phoneRegion);
    },

    describe,
    async findByName(name) {
      return (await describe(name))?.person ?? null;
    },

    async findByEmployeeId(id) {
      const value = typeof id === 'string' ? id.trim() : '';
      // What an employee ID looks like: anything else is never searched for (the value is escaped all the same).
      if (!/^[\p{L}\p{N}._-]{1,64}$/u.test(value)) return null;
      const entries = await service((c) => searchUsers(c, m, m.attributes.employeeId, value, 2));
      return entries.length === 1 ? personOf(entries[0]) : null;
    },

    close,
  };
}
