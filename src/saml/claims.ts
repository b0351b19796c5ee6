// What an app is told about the person: the NameID in the format its settings name, the attributes under the
// ADFS / Microsoft claim URIs or plain names, and how the person signed in (AuthnContextClassRef).
import { createHmac } from 'node:crypto';
import type { Account } from '../identity/index.ts';
import type { Attribute } from './response.ts';
import { nameIdFormats, type ServiceProvider } from './service-providers.ts';

const uri = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const basic = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

/** The names each attribute goes by: ADFS's claim URIs (what Outlook Web App, SharePoint and most ADFS apps read). */
export const attributeNames = {
  mail: { claims: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', plain: 'mail' },
  upn: { claims: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', plain: 'upn' },
  displayName: { claims: 'http://schemas.microsoft.com/identity/claims/displayname', plain: 'displayName' },
  groups: { claims: 'http://schemas.xmlsoap.org/claims/Group', plain: 'groups' },
  givenName: { claims: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', plain: 'givenName' },
  surname: { claims: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', plain: 'sn' },
  // ADFS has no built-in employee ID claim; this URI, in the namespace of the claims above, is the one Entra ID
  // and the apps configured for it use.
  employeeId: { claims: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/employeeid', plain: 'employeeID' },
} as const;

/** What only the directory knows about a workforce person: read when an assertion is built, never stored. */
export interface DirectoryDetails {
  givenName: string | null;
  surname: string | null;
  employeeId: string | null;
}

const fromDirectory: ReadonlySet<string> = new Set(['givenName', 'surname', 'employeeId']);

/** Whether the app is given anything only the directory knows (else the directory is not asked). */
export const releasesDirectoryDetails = (sp: ServiceProvider) => sp.settings.release.some((n) => fromDirectory.has(n));

export const classRefs = {
  password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  /** ADFS's word for password + a second factor; what Microsoft-world apps check. */
  multipleAuthn: 'http://schemas.microsoft.com/claims/multipleauthn',
  refedsMfa: 'https://refeds.org/profile/mfa',
  timeSyncToken: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
  tesseraMfa: 'urn:tessera:mfa',
} as const;

const mfaClassRefs: ReadonlySet<string> = new Set([
  classRefs.multipleAuthn,
  classRefs.refedsMfa,
  classRefs.timeSyncToken,
  classRefs.tesseraMfa,
]);

/** The classes Tessera can do: a password (over TLS), or a password and a one-time code. */
const doable: ReadonlySet<string> = new Set([
  classRefs.password,
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
  ...mfaClassRefs,
]);

/** A RequestedAuthnContext naming only classes Tessera cannot do (Kerberos, smartcard…): NoAuthnContext. */
export const requestsOnlyUndoable = (requested: readonly string[]) =>
  requested.length > 0 && !requested.some((r) => doable.has(r));

/** RequestedAuthnContext naming a second factor: the code is asked, whatever the app's policy says. */
export const requestsMfa = (requested: readonly string[]) => requested.some((r) => mfaClassRefs.has(r));

export function classRefFor(amr: readonly string[], sp: ServiceProvider): string {
  if (!amr.includes('mfa')) return classRefs.password;
  return sp.settings.attributeNames === 'claims' ? classRefs.multipleAuthn : classRefs.refedsMfa;
}

export function nameIdFor(account: Account, sp: ServiceProvider, pairwiseKey: Buffer) {
  const format = sp.settings.nameIdFormat;
  if (format === 'email' && account.email) return { format: nameIdFormats.email, value: account.email };
  if (format === 'unspecified' && (account.username || account.email)) {
    return { format: nameIdFormats.unspecified, value: (account.username ?? account.email)! };
  }
  // Persistent (and the fallback when the asked value is missing): opaque, one per person and app, never reused.
  const value = createHmac('sha256', pairwiseKey).update(`${account.id}\n${sp.entityId}`).digest('base64url');
  return { format: nameIdFormats.persistent, value };
}

/**
 * The attributes the app asked for, under its naming. Given name, surname and employee ID come from the directory
 * (`details`): a customer account, or a directory that did not answer, has none and they are left out.
 */
export function attributesFor(account: Account, sp: ServiceProvider, details: DirectoryDetails | null): Attribute[] {
  const style = sp.settings.attributeNames;
  const nameFormat = style === 'claims' ? uri : basic;
  const one = (name: keyof typeof attributeNames, values: Array<string | null>): Attribute => ({
    name: attributeNames[name][style],
    nameFormat,
    values: values.filter((v): v is string => typeof v === 'string' && v !== ''),
  });
  const values: Record<keyof typeof attributeNames, Array<string | null>> = {
    mail: [account.email],
    upn: [account.username],
    displayName: [account.name],
    groups: account.groups,
    givenName: [details?.givenName ?? null],
    surname: [details?.surname ?? null],
    employeeId: [details?.employeeId ?? null],
  };
  return sp.settings.release.map((name) => one(name, values[name]));
}
