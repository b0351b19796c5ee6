// The directory connection's configuration: one zod schema the composer nests into the main config
// (e.g. `directory: directoryConfigSchema.optional()`). Each option carries its default and why.
import { z } from 'zod';
import { isValidFilter } from './filter.ts';

const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$/, 'must be an LDAP attribute name');
const filter = z.string().refine(isValidFilter, 'must be a valid RFC 4515 filter in ASCII, e.g. (objectClass=person)');

export const directoryAttributesSchema = z
  .object({
    /** Matched against the name typed at sign-in. */
    login: attributeName,
    email: attributeName,
    displayName: attributeName,
    employeeId: attributeName,
    givenName: attributeName,
    surname: attributeName,
    mobile: attributeName,
    /** Survives renames and moves; sync keys on it. */
    stableId: attributeName,
  })
  .partial();

export const directoryConfigSchema = z
  .object({
    // Tried in order: the first that answers serves; the others are fail-over.
    urls: z
      .array(z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]'))
      .min(1),
    // The service account that searches for users; it needs read access only.
    bindDn: z.string().min(1),
    bindPassword: z.string().min(1),
    // Where users (and, for OpenLDAP, groups) are searched.
    baseDn: z.string().min(1),
    // Groups are searched here; defaults to baseDn.
    groupBaseDn: z.string().min(1).optional(),
    // How a person's groups are found; the preset's way when unset (AD: memberOf, OpenLDAP: memberSearch).
    // memberSearch finds the groups that list the person: groupOfNames member, groupOfUniqueNames uniqueMember,
    // posixGroup memberUid (OpenLDAP), group member (AD). memberOf reads them off the person's own entry, one search
    // fewer, where the directory keeps it: AD, 389-DS / FreeIPA, OpenLDAP with the memberof overlay.
    groups: z.enum(['memberOf', 'memberSearch']).optional(),
    // Which attributes and account flags to read: Active Directory or OpenLDAP.
    preset: z.enum(['activeDirectory', 'openldap']),
    // Narrows who may sign in; the preset's default when unset (AD: people that are users; OpenLDAP: inetOrgPerson).
    userFilter: filter.optional(),
    // Override single attribute names of the preset, e.g. { login: 'userPrincipalName' }.
    attributes: directoryAttributesSchema.prefault({}),
    // Domains accepted in `DOMAIN\user` and `user@domain`; empty accepts any (the domain part is then ignored).
    domains: z.array(z.string().min(1)).default([]),
    tls: z
      .object({
        // PEM file of the CA that signed the directory's certificate; unset trusts the system CAs.
        caFile: z.string().min(1).optional(),
        // Upgrade ldap:// connections with StartTLS before any bind.
        startTls: z.boolean().default(false),
        // Sending passwords over plain ldap:// is refused unless this is set (a lab, or a loopback directory).
        allowPlaintext: z.boolean().default(false),
      })
      .prefault({}),
    // A server that does not accept the TCP connection in this time is skipped for the next URL.
    connectTimeoutMs: z.number().int().positive().default(5000),
    // A server that does not answer an operation in this time counts as unreachable.
    operationTimeoutMs: z.number().int().positive().default(10_000),
    // Connections kept open for searches (as the service account), and as many again for people's binds (which
    // carry nothing but binds), so that a sign-in opens no connection and does no TLS handshake.
    poolSize: z.number().int().min(1).max(64).default(4),
    // Longer passwords are refused before the network: no directory accepts them and they cost bandwidth.
    maxPasswordBytes: z.number().int().min(8).max(65_536).default(1024),
    // Where people change an expired directory password (the company's password portal): the sign-in page and the
    // VPN name it in their "password has expired" message.
    passwordChangeUrl: z.url({ protocol: /^https?$/ }).optional(),
    // The country whose national format the directory's mobile numbers may be written in (ISO 3166 code, e.g. RO):
    // `0721 234 567` is then read as +40721234567. Numbers written with their + and country code need none.
    phoneRegion: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as RO')
      .optional(),
    // AD: the domain's maximum password age, when it should be enforced here too (AD itself already does).
    maxPasswordAgeDays: z.number().int().positive().optional(),
  })
  .refine((c) => c.tls.allowPlaintext || c.tls.startTls || c.urls.every((u) => u.startsWith('ldaps://')), {
    message: 'ldap:// sends passwords in clear: use ldaps://, tls.startTls, or set tls.allowPlaintext',
    path: ['urls'],
  });

export type DirectoryConfigInput = z.input<typeof directoryConfigSchema>;
export type DirectoryConfig = z.output<typeof directoryConfigSchema>;
