// Composes Tessera once: store → domain services → HTTP. No module-level state, so a test can start two nodes.
// Each step is one concern's compose function in src/compose/; this file is their table of contents.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { Config } from './config.ts';
import type { Sealer, Store } from './store/index.ts';
import type { Clock } from './clock/index.ts';
import type { Audit } from './audit/index.ts';
import type { CampaignInput, Outbox } from './delivery/index.ts';
import type { AccountService, PasswordReset, SelfService, WorkforceService } from './identity/index.ts';
import type { OtpService } from './otp/index.ts';
import type { PolicyStore } from './policy/index.ts';
import type { ClientRegistry, SessionManager } from './oidc/index.ts';
import type { RadiusBound, StoredClients, VpnSessions } from './radius/index.ts';
import type { Metrics } from './web/index.ts';
import type { AdminService, Operator } from './admin/index.ts';
import { compose, listenNamed, listenRadius, type Saml } from './compose/index.ts';

export interface TesseraServer {
  config: Config;
  app: FastifyInstance;
  store: Store;
  sealer: Sealer;
  provider: Provider;
  clients: ClientRegistry;
  accounts: AccountService;
  selfService: SelfService;
  sessions: SessionManager;
  /** Present when a directory is configured. */
  workforce?: WorkforceService;
  otp: OtpService;
  policies: PolicyStore;
  outbox: Outbox;
  /** Where RADIUS listens, once listen() has run (when `radius` is configured). */
  radiusAddress(): RadiusBound | undefined;
  /** VPN gateways added at run time (`tessera radius client add`), next to those in the configuration. */
  radiusClients: StoredClients;
  /** VPN sessions as the gateways report them by RADIUS accounting. */
  vpnSessions: VpnSessions;
  /** The purges every node runs every 15 minutes, run now. */
  housekeeping(): Promise<void>;
  sendCampaign(input: CampaignInput): Promise<{ recipients: number }>;
  unsubscribeLink(accountId: string): string;
  /**
   * The helpdesk's and operator's service for `operator`: what their roles allow, audited as theirs (the CLI acts as
   * the local superuser, the console as the person signed in).
   */
  admin(operator: Operator): AdminService;
  /** One-time links that set the first password of an account an operator made (the demo's first administrator). */
  setupLinks: Pick<PasswordReset, 'issue'>;
  /** The SAML identity provider: its apps (service providers), keys and Web SSO. */
  saml: Saml;
  audit: Audit;
  metrics: Metrics;
  logger: Logger;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface ServerOptions {
  logger?: Logger;
  clock?: Clock;
  /** false in all workers of a node but the first: the purges and the directory sync run once per node. */
  periodicJobs?: boolean;
  /** Who appends to the audit log, a server or a command of the CLI (its chain says which). */
  writer?: 'serve' | 'cli';
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<TesseraServer> {
  const f = await compose.foundation(config, options);
  const mail = compose.mail(f);
  const otp = compose.otp(f);
  const identity = await compose.identity(f, mail, otp);
  const policy = compose.policy(f, otp, identity, mail);
  const signIn = compose.signIn(f, otp, identity, policy);
  const oidc = await compose.oidc(f, identity, signIn);
  const { directory, workforce } = compose.directory(f, identity.identityStore, (a) => oidc.sessions.endAll(a).then());
  const app = await compose.http(f);
  const firstFactor = compose.firstFactor(f, identity, signIn, workforce);
  const registration = compose.registration(f, { identity, otp, policy, firstFactor, directory, workforce });
  const social = compose.social(f, identity, mail);
  const web = await compose.webRoutes(f, app, {
    identity,
    mail,
    otp,
    policy,
    signIn,
    oidc,
    workforce,
    firstFactor,
    registration,
    social,
  });
  const vpn = compose.radius(f, { identity, otp, policy, workforce, firstFactor });
  const jobs = compose.jobs(f, {
    workforce,
    web,
    purgeChallenges: vpn.purgeChallenges,
    vpnSessions: vpn.vpnSessions,
    signIn: signIn.signIn,
    otp,
    registration,
    social: social?.service,
  });
  let radiusBound: RadiusBound | undefined;
  const ops = { identity, otp, oidc, policy, vpn, workforce, mail, registration: registration?.service, app, web };
  const { sendCampaign, admin } = compose.operations(f, { ...ops, radiusAddress: () => radiusBound });

  return {
    config,
    app,
    store: f.store,
    sealer: f.sealer,
    provider: oidc.provider,
    clients: oidc.clients,
    accounts: identity.accounts,
    selfService: identity.selfService,
    sessions: oidc.sessions,
    workforce,
    otp,
    policies: policy.policies,
    outbox: mail.outbox,
    audit: f.audit,
    metrics: f.metrics,
    logger: f.logger,
    radiusAddress: () => radiusBound,
    radiusClients: vpn.radiusClients,
    vpnSessions: vpn.vpnSessions,
    housekeeping: jobs.housekeep,
    ...compose.identityLinks(identity),
    sendCampaign,
    admin,
    saml: web.saml,
    async listen() {
      const { port, host } = config.http;
      const address = await listenNamed('http.port', port, host, () => app.listen({ port, host }));
      mail.outbox.start();
      registration?.sms?.start();
      jobs.start();
      if (vpn.radius) {
        const radius = vpn.radius;
        radiusBound = await listenRadius(() => radius.listen());
        f.logger.info(radiusBound, 'RADIUS is listening');
      }
      return address;
    },
    async close() {
      jobs.stop();
      await vpn.radius?.close();
      await mail.outbox.stop();
      await registration?.sms?.stop();
      await app.close();
      await directory?.close();
      await f.store.close();
    },
  };
}
