// What the admin service uses of the other concerns, each through its index.ts; the composition root (or the CLI,
// for one command) hands them in. The admin folder's own storage (the role grants) is in admin/sql/.
import type { Audit } from '../audit/index.ts';
import type { Clock } from '../clock/index.ts';
import type { CampaignInput } from '../delivery/index.ts';
import type { AccountService, WorkforceService } from '../identity/index.ts';
import type { ClientRegistry, SessionManager } from '../oidc/index.ts';
import type { OtpService } from '../otp/index.ts';
import type { PolicyStore } from '../policy/index.ts';
import type { RadiusClientConfig, StoredClients, TestAnswer, VpnSessions } from '../radius/index.ts';
import type { KeyRing, ServiceProviders } from '../saml/index.ts';
import type { Registration } from '../registration/index.ts';
import type { RoleStore } from './roles.ts';
import type { DirectoryCheck } from './directory-check.ts';

export interface AdminPorts {
  audit: Pick<Audit, 'record' | 'asOneEvent' | 'list' | 'verify'>;
  accounts: Pick<AccountService, 'createByOperator' | 'findByLogin' | 'findAccount' | 'search'>;
  otp: Pick<OtpService, 'list' | 'importHardware' | 'assignHardware' | 'unbind' | 'unlock' | 'ownerOf' | 'resync'>;
  /** The person's signed-in browsers (SSO sessions), and ending all of them with their tokens. */
  sessions: Pick<SessionManager, 'list' | 'endAll'>;
  /** Who holds which role (admin/sql/role-store.ts). */
  roles: RoleStore;
  clients: Pick<ClientRegistry, 'add' | 'list' | 'remove'>;
  policies: Pick<PolicyStore, 'save' | 'list'>;
  radiusClients: Pick<StoredClients, 'add' | 'list' | 'remove'>;
  /** The gateways in the configuration, listed beside the stored ones; their secrets are never listed. */
  configuredRadiusClients: readonly RadiusClientConfig[];
  vpnSessions: Pick<VpnSessions, 'list'>;
  /** Present when a directory is configured. */
  workforce?: Pick<WorkforceService, 'sync' | 'linkNamed' | 'linkByEmployeeId' | 'refresh'>;
  sendCampaign(input: CampaignInput): Promise<{ recipients: number }>;
  /** New signing keys; returns their key ids. */
  /** `force`: even when the next keys may not be published by every node yet (SigningKeyError otherwise). */
  rotateSigningKeys(options?: { force?: boolean }): Promise<string[]>;
  /** The SAML identity provider's apps and keys. */
  saml: { providers: Pick<ServiceProviders, 'add' | 'list' | 'remove' | 'standInOf'>; keys: Pick<KeyRing, 'rotate'> };
  clock: Clock;
  /**
   * A real Access-Request to this server's RADIUS port with the named gateway's secret; undefined when no gateway has
   * the name, 'off' when RADIUS is not listening here.
   */
  testRadiusClient(name: string, user: string, password: string): Promise<TestAnswer | undefined | 'off'>;
  /** The directory connection check, present when a directory is configured. */
  checkDirectory?(user: string | undefined): Promise<DirectoryCheck>;
  /** OTP registration, present when a directory is configured: the helpdesk's registration codes. */
  registration?: Pick<Registration, 'issueHelpdeskCode'>;
}

/** Who is acting: recorded as the actor of every audit row the service writes. */
export interface AdminOptions {
  actor: string;
}
