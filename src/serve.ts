// `tessera serve`: the server, plus in demo mode the demo shop and forum next to it; SIGTERM shuts down cleanly.
import type { Config } from './config.ts';
import { createServer } from './server.ts';

export async function serve(config: Config): Promise<void> {
  const server = await createServer(config);
  const closers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    for (const close of closers) await close().catch(() => {});
    await server.close();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  if (config.demo) closers.push(...await startDemo(server, config));
  const demoVpnSecret = config.demo ? await demoVpnGateway(server) : undefined;
  let address: string;
  try {
    address = await server.listen();
  } catch (err) {
    // Half a server (HTTP without RADIUS, say) must not stay up: everything started is closed and the cause shown.
    stopping = true;
    for (const close of closers) await close().catch(() => {});
    await server.close().catch(() => {});
    throw err;
  }
  server.logger.info({ address, issuer: config.issuer }, 'Tessera is listening');
  if (config.demo) {
    const radius = server.radiusAddress();
    console.log(`\n  Tessera      ${config.issuer}\n  Demo shop    http://localhost:8081\n  Demo forum   http://localhost:8082\n  Mailbox      ${config.issuer}/dev/mailbox`);
    if (radius) console.log(`  RADIUS       udp://${radius.address}:${radius.port} (accounting ${radius.accountingPort}), gateway "demo-vpn", secret ${demoVpnSecret}`);
    console.log('');
  }
}

// A VPN gateway on this machine (e.g. radclient), so the demo's RADIUS login works at once; its secret is shown in
// the banner, as the demo's mailbox shows its mail.
async function demoVpnGateway(server: Awaited<ReturnType<typeof createServer>>): Promise<string> {
  const existing = (await server.radiusClients.load()).find((c) => c.name === 'demo-vpn');
  if (existing) return existing.secret;
  const { secret } = await server.radiusClients.add({ name: 'demo-vpn', address: '127.0.0.1' });
  if (!await server.policies.find('radius:demo-vpn')) {
    // Optional: who has registered an OTP app is asked for the code, everyone else logs in with the password.
    await server.policies.save({ appId: 'radius:demo-vpn', otp: 'optional', goLiveAt: null, graceSeconds: 0, groupOverrides: {} }, Date.now());
  }
  return secret;
}

// The demo apps register themselves once and start beside Tessera; they are examples, not part of the product.
async function startDemo(server: Awaited<ReturnType<typeof createServer>>, config: Config): Promise<Array<() => Promise<void>>> {
  const { demoClients } = await import('../examples/demo-clients.ts');
  const { startDemoApp } = await import('../examples/relying-party/index.ts');
  const closers: Array<() => Promise<void>> = [];
  for (const demo of demoClients()) {
    if (!await server.clients.find(demo.client.client_id)) {
      await server.clients.add({ ...demo.client, first_party: true });
    }
    const app = await startDemoApp({ ...demo.app, issuer: config.issuer });
    closers.push(() => app.close());
  }
  return closers;
}
