// `tessera serve`: the server, plus in demo mode the demo shop and forum next to it; SIGTERM shuts down cleanly.
// With `server.workers` above 1 this process becomes the node's primary and each worker runs the server.
import cluster from 'node:cluster';
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { createServer, type TesseraServer } from './server.ts';
import { listenNamed } from './compose/index.ts';
import { announceListening, isRestartedWorker, runPrimary, workerCount, workerIndex } from './workers/index.ts';

/** Resolves once the node listens (0), or with the exit status of a worker that could not start. */
export async function serve(config: Config): Promise<number> {
  const count = workerCount(config);
  if (cluster.isPrimary && count > 1) return runPrimary(count, pino({ level: config.log.level }));
  try {
    await serveOne(config);
  } catch (err) {
    // A worker that cannot start must exit for the primary to see it: its channel to the primary would hold it open.
    if (cluster.isWorker) process.disconnect();
    throw err;
  }
  return 0;
}

async function serveOne(config: Config): Promise<void> {
  // The first worker (or the lone process) does what a node does once: the demo's setup and banner, the purges.
  const first = (workerIndex() ?? 0) === 0;
  const server = await createServer(config, { periodicJobs: first });
  const closers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    for (const close of closers) await close().catch(() => {});
    await server.close();
    // The IPC channel to the primary would keep a worker alive once everything else is closed.
    if (cluster.isWorker) process.disconnect();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  let address: string;
  let demoVpnSecret: string | undefined;
  let adminLink: string | undefined;
  try {
    if (config.demo && first) await startDemo(server, config, closers);
    demoVpnSecret = config.demo && first ? await demoVpnGateway(server) : undefined;
    adminLink = config.demo && first ? await firstAdministratorLink(server) : undefined;
    address = await server.listen();
  } catch (err) {
    // Half a server (HTTP without RADIUS, say) must not stay up: everything started is closed and the cause shown.
    stopping = true;
    for (const close of closers) await close().catch(() => {});
    await server.close().catch(() => {});
    throw err;
  }
  server.logger.info({ address, issuer: config.issuer, worker: workerIndex() }, 'Tessera is listening');
  if (config.demo && first && !isRestartedWorker()) printDemoBanner(server, config, demoVpnSecret, adminLink);
  announceListening();
}

function printDemoBanner(
  server: TesseraServer,
  config: Config,
  demoVpnSecret: string | undefined,
  adminLink: string | undefined,
): void {
  const { shopPort, forumPort } = config.demoApps;
  const radius = server.radiusAddress();
  console.log(
    `\n  Tessera      ${config.issuer}\n  Demo shop    http://localhost:${shopPort}\n` +
      `  Demo forum   http://localhost:${forumPort}\n  Mailbox      ${config.issuer}/dev/mailbox`,
  );
  if (radius) {
    console.log(
      `  RADIUS       udp://${radius.address}:${radius.port} (accounting ${radius.accountingPort}), ` +
        `gateway "demo-vpn", secret ${demoVpnSecret}`,
    );
  }
  if (adminLink) {
    console.log(
      `  Console      ${adminLink}\n               (one-time set-up of ${demoAdministrator}, valid for an hour)`,
    );
  }
  console.log('');
}

export const demoAdministrator = 'admin@example.com';
/** Long enough to read the banner and finish the set-up; a new start makes a new link anyway. */
const adminLinkTtlSeconds = 3600;

/**
 * The demo's first administrator: admin@example.com holds the admin role, and until they have registered an
 * authenticator app (their set-up is done) each start prints a one-time link that replaces the earlier one. The link
 * sets their password; the console's sign-in then registers the app. A real install runs `tessera admin grant` once.
 */
export async function firstAdministratorLink(server: TesseraServer): Promise<string | undefined> {
  const existing = await server.accounts.findByLogin(demoAdministrator);
  // A password nobody knows until the link sets one (the account needs one for the link to replace).
  const account =
    existing ??
    (await server.accounts.createByOperator({
      email: demoAdministrator,
      password: randomBytes(32).toString('base64url'),
      name: 'Demo administrator',
      workforce: true,
    }));
  await server.admin({ kind: 'local', actor: 'demo' }).roles.grant({ user: demoAdministrator, role: 'admin' });
  const tokens = await server.otp.list(account.id);
  // Set up already (an authenticator app registered), or an account whose password is the directory's: no link.
  if (tokens.some((token) => token.state === 'active') || !account.passwordHash) return undefined;
  const token = await server.setupLinks.issue(account.id, adminLinkTtlSeconds);
  return `${server.config.issuer}/console/setup?${new URLSearchParams({ token })}`;
}

// A VPN gateway on this machine (e.g. radclient), so the demo's RADIUS login works at once; its secret is shown in
// the banner, as the demo's mailbox shows its mail.
async function demoVpnGateway(server: TesseraServer): Promise<string> {
  const existing = (await server.radiusClients.load()).find((c) => c.name === 'demo-vpn');
  if (existing) return existing.secret;
  const { secret } = await server.radiusClients.add({ name: 'demo-vpn', address: '127.0.0.1' });
  if (!(await server.policies.find('radius:demo-vpn'))) {
    // Optional: who has registered an OTP app is asked for the code, everyone else logs in with the password.
    await server.policies.save(
      { appId: 'radius:demo-vpn', otp: 'optional', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
      Date.now(),
    );
  }
  return secret;
}

// The demo apps register themselves once and start beside Tessera; they are examples, not part of the product.
// Each one started is added to `closers` at once, so a later one whose port is taken leaves nothing running.
async function startDemo(server: TesseraServer, config: Config, closers: Array<() => Promise<void>>): Promise<void> {
  const { demoClients } = await import('../examples/demo-clients.ts');
  const { startDemoApp } = await import('../examples/relying-party/index.ts');
  const { shopPort, forumPort } = config.demoApps;
  const keys = ['demoApps.shopPort', 'demoApps.forumPort'];
  for (const [index, demo] of demoClients({ shop: shopPort, forum: forumPort }).entries()) {
    const registered = await server.clients.find(demo.client.client_id);
    // A port moved since the last start moves the app's redirect URIs with it.
    const moved =
      registered !== undefined &&
      JSON.stringify(registered.redirect_uris) !== JSON.stringify(demo.client.redirect_uris);
    if (moved) await server.clients.remove(demo.client.client_id);
    if (!registered || moved) await server.clients.add({ ...demo.client, first_party: true });
    const app = await listenNamed(keys[index], demo.port, undefined, () =>
      startDemoApp({ ...demo.app, issuer: config.issuer }),
    );
    closers.push(() => app.close());
  }
}
