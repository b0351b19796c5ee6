// The apps Tessera signs people in to over SAML, added from their metadata. What the metadata says is what is
// trusted: the assertion consumer URLs (an AuthnRequest naming another is refused), whether requests are signed
// and with which certificate. Tessera's own settings per app say what the app is given.
import * as samlify from 'samlify';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock/index.ts';
import { encryptionKeyOf } from './encryption.ts';
import { SamlError } from './errors.ts';
import { refuseDeclarations } from './guard.ts';
import type { SamlStore } from './store.ts';

export const bindings = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
} as const;

export const nameIdFormats = {
  /** A pairwise, opaque, stable identifier per person and app (SAML core §8.3.7). */
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  /** The directory name as a UPN (name@realm), what ADFS apps usually read. */
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;

export const settingsSchema = z.object({
  nameIdFormat: z.enum(['persistent', 'email', 'unspecified']).default('persistent'),
  // `claims`: the ADFS / Microsoft claim URIs federated Microsoft-world apps expect; `plain`: short names.
  attributeNames: z.enum(['claims', 'plain']).default('claims'),
  // The assertion is always signed; some apps also want the whole Response signed.
  signResponse: z.boolean().default(false),
  // The token a WS-Federation relying party gets: SAML 1.1, as ADFS sends by default (SharePoint needs it), or 2.0.
  wsfedToken: z.enum(['saml1.1', 'saml2.0']).default('saml1.1'),
  // Which attributes the app is given (data minimisation: an app gets what it needs). givenName, surname and
  // employeeId are read from the directory at each assertion, so only apps that name them cost a directory search.
  release: z
    .array(z.enum(['mail', 'upn', 'displayName', 'groups', 'givenName', 'surname', 'employeeId']))
    .default(['mail', 'upn', 'displayName', 'groups']),
  // Where the app sends the person after an IdP-initiated sign-in (`/saml/start?app=<entity ID>`), as RelayState.
  relayState: z.string().min(1).max(1024).optional(),
  // The assertion encrypted to the app's certificate (its metadata's `use="encryption"` KeyDescriptor), with this
  // content cipher; `off` sends it signed only (over TLS), which is what most apps expect.
  encrypt: z.enum(['off', 'aes256-gcm', 'aes256-cbc']).default('off'),
});
export type SpSettings = z.output<typeof settingsSchema>;

export interface ConsumerService {
  binding: string;
  location: string;
  index?: number;
  isDefault: boolean;
}

export interface ServiceProvider {
  entityId: string;
  name: string;
  settings: SpSettings;
  consumers: ConsumerService[];
  authnRequestsSigned: boolean;
  /** Its SingleLogoutService endpoints (Redirect and POST), where Tessera sends LogoutRequests. */
  logoutServices: Array<{ binding: string; location: string }>;
  /** Its metadata has a signing certificate: its logout messages must be signed. */
  signs: boolean;
  /**
   * The RSA key of its metadata's encryption certificate; the error when that certificate cannot be used (only an
   * app that asks for encryption is refused for it); undefined when the metadata has none.
   */
  encryptionKey: KeyObject | SamlError | undefined;
  /** samlify's view of the metadata, to verify the app's signatures. */
  entity: ReturnType<typeof samlify.ServiceProvider>;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const httpUrl = z.url({ protocol: /^https?$/ });

function parseMetadata(xml: string): Omit<ServiceProvider, 'name' | 'settings'> {
  let entity: ReturnType<typeof samlify.ServiceProvider>;
  try {
    entity = samlify.ServiceProvider({ metadata: refuseDeclarations(xml) });
  } catch (err) {
    if (err instanceof SamlError) throw err;
    throw new SamlError('saml.metadata_invalid', { message: `metadata: ${(err as Error).message}` });
  }
  const meta = entity.entityMeta as unknown as {
    getEntityID(): string;
    isAuthnRequestSigned(): boolean;
    getX509Certificate(use: string): unknown;
    meta: {
      assertionConsumerService?: Record<string, string> | Array<Record<string, string>>;
      singleLogoutService?: Record<string, string> | Array<Record<string, string>>;
    };
  };
  const entityId = meta.getEntityID();
  const consumers = asList(meta.meta.assertionConsumerService)
    .filter((c) => c.binding === bindings.post && httpUrl.safeParse(c.location).success)
    .map((c) => ({
      binding: c.binding!,
      location: c.location!,
      index: c.index === undefined ? undefined : Number(c.index),
      isDefault: c.isDefault === 'true',
    }));
  if (!entityId || entityId.length > 1024) {
    throw new SamlError('saml.metadata_invalid', { message: 'metadata: no entityID (or longer than 1024)' });
  }
  if (consumers.length === 0) {
    throw new SamlError('saml.metadata_invalid', {
      message: 'metadata: no AssertionConsumerService with the HTTP-POST binding at an http(s) URL',
    });
  }
  const logoutServices = asList(meta.meta.singleLogoutService)
    .filter(
      (c) => (c.binding === bindings.redirect || c.binding === bindings.post) && httpUrl.safeParse(c.location).success,
    )
    .map((c) => ({ binding: c.binding!, location: c.location! }));
  const signing = meta.getX509Certificate('signing');
  const signs = Array.isArray(signing) ? signing.length > 0 : Boolean(signing);
  const encryptionKey = readEncryptionKey(meta.getX509Certificate('encryption'));
  const authnRequestsSigned = meta.isAuthnRequestSigned();
  return { entityId, consumers, authnRequestsSigned, logoutServices, signs, encryptionKey, entity };
}

/** The first certificate a `use="encryption"` KeyDescriptor carries (samlify gives one string or a list). */
function readEncryptionKey(certificates: unknown): KeyObject | SamlError | undefined {
  const first = asList(certificates as string | string[] | undefined).find((c) => typeof c === 'string' && c.trim());
  if (first === undefined) return undefined;
  try {
    return encryptionKeyOf(first);
  } catch (err) {
    if (err instanceof SamlError) return err;
    throw err;
  }
}

/** An app that asks for encrypted assertions must publish a usable encryption certificate. */
function checkEncryption(parsed: Pick<ServiceProvider, 'encryptionKey'>, settings: SpSettings): void {
  if (settings.encrypt === 'off') return;
  if (parsed.encryptionKey === undefined) {
    throw new SamlError('saml.settings_invalid', {
      message:
        'encrypt: the metadata has no encryption certificate (a KeyDescriptor use="encryption"); ' +
        'ask the app owner for metadata with one, or add the app without encryption',
    });
  }
  if (parsed.encryptionKey instanceof SamlError) throw parsed.encryptionKey;
}

/** The OIDC client that stands for a SAML app in the SSO session and the OTP policy (`saml:<entity ID>`). */
export const samlClientId = (entityId: string) => `saml:${entityId}`;

/** The entity ID of the SAML app an OIDC client stands for; undefined for every other client. */
export const samlEntityOfClient = (clientId: string) => (clientId.startsWith('saml:') ? clientId.slice(5) : undefined);

/** Registers and removes the OIDC client that stands for each SAML app (sso.ts says why). */
export interface StandInClients {
  register(clientId: string, name: string): Promise<void>;
  remove(clientId: string): Promise<void>;
}

/** `recentMs`: how long an app read is reused (a change elsewhere arrives by `forget`; this is the backstop). */
export function createServiceProviders(store: SamlStore, clock: Clock, clients: StandInClients, recentMs = 1000) {
  // Reading metadata is an XML parse: kept per metadata text, so a busy app's requests parse it once.
  const parsedCache = new Map<string, Omit<ServiceProvider, 'name' | 'settings'>>();
  const parsed = (xml: string) => {
    let hit = parsedCache.get(xml);
    if (!hit) {
      hit = parseMetadata(xml);
      if (parsedCache.size >= 200) parsedCache.clear();
      parsedCache.set(xml, hit);
    }
    return hit;
  };
  const recent = new Map<string, { sp: ServiceProvider | undefined; readAtMs: number }>();
  return {
    /** Reads every app again at its next use (another process changed one). */
    forget(): void {
      recent.clear();
    },
    /** The entity ID of the SAML app an OIDC client stands for (`saml:<entity ID>`); undefined for other clients. */
    standInOf: samlEntityOfClient,
    /** Reads the metadata and adds the app; refuses metadata it cannot use, and an entity ID added already. */
    async add(input: { metadata: string; name?: string; settings?: z.input<typeof settingsSchema> }) {
      const parsed = parseMetadata(input.metadata);

      const checked = settingsSchema.safeParse(input.settings ?? {});
      if (!checked.success) {
        const why = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw new SamlError('saml.settings_invalid', { message: why });
      }
      const settings = checked.data;
      checkEncryption(parsed, settings);
      const name = (input.name ?? parsed.entityId).slice(0, 100);
      const added = await store.insertProvider({
        entityId: parsed.entityId,
        name,
        metadata: input.metadata,
        settings: JSON.stringify(settings),
        createdAt: clock.now(),
      });
      if (added === 'exists') {
        throw new SamlError('saml.app_exists', { message: `an app with entity ID ${parsed.entityId} exists already` });
      }
      await clients.register(samlClientId(parsed.entityId), name);
      recent.delete(parsed.entityId);
      return { ...parsed, name, settings };
    },

    /** An app read in the last `recentMs` is reused. */
    async find(entityId: string): Promise<ServiceProvider | undefined> {
      const now = clock.now();
      const hit = recent.get(entityId);
      if (hit && now - hit.readAtMs < recentMs && now >= hit.readAtMs) return hit.sp;
      const row = await store.findProvider(entityId);
      const sp = row && {
        ...parsed(row.metadata),
        name: row.name,
        settings: settingsSchema.parse(JSON.parse(row.settings)),
      };
      if (recent.size >= 1000) recent.clear();
      recent.set(entityId, { sp, readAtMs: now });
      return sp;
    },

    async list() {
      return (await store.listProviders()).map((r) => ({
        entityId: r.entityId,
        name: r.name,
        settings: settingsSchema.parse(JSON.parse(r.settings)),
        createdAt: r.createdAt,
      }));
    },

    async remove(entityId: string): Promise<void> {
      if (!(await store.removeProvider(entityId))) {
        throw new SamlError('saml.app_not_found', { message: `no SAML app with entity ID ${entityId}` });
      }
      await clients.remove(samlClientId(entityId));
      recent.delete(entityId);
    },
  };
}

export type ServiceProviders = ReturnType<typeof createServiceProviders>;
