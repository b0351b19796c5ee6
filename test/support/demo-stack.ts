// The browser suites' stage: a real SMTP server, Tessera mailing through it, the demo shop as a first-party app,
// and headless Chromium — started before the suite's tests and stopped after them.
import { before, after } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ConfigInput } from '../../src/config.ts';
import type { ClientInput } from '../../src/oidc/index.ts';
import { startTessera, type RunningTessera } from './tessera.ts';
import { startSmtpServer, type SmtpTestServer } from './smtp.ts';
import { launchBrowser } from './browser.ts';
import { demoClients } from '../../examples/demo-clients.ts';
import { startDemoApp, type DemoApp, type DemoAppOptions } from '../../examples/relying-party/index.ts';

export interface DemoStack {
  readonly smtp: SmtpTestServer;
  readonly tessera: RunningTessera;
  readonly shop: DemoApp;
  readonly browser: Browser;
}

export function useDemoStack(
  dialect: 'sqlite' | 'postgres',
  options: { config?: ConfigInput; shop?: Partial<ClientInput> } = {},
): DemoStack {
  const stage = {} as { smtp: SmtpTestServer; tessera: RunningTessera; shop: DemoApp; browser: Browser };
  before(async () => {
    stage.smtp = await startSmtpServer();
    stage.tessera = await startTessera(dialect, {
      ...options.config,
      mail: { smtpUrl: stage.smtp.url, ...options.config?.mail },
    });
    stage.shop = await startRegisteredDemoApp(stage.tessera, 'shop', { first_party: true, ...options.shop });
    stage.browser = await launchBrowser();
  });
  after(async () => {
    await stage.browser?.close();
    await stage.shop?.close();
    await stage.tessera?.stop();
    await stage.smtp?.stop();
  });
  return {
    get smtp() {
      return stage.smtp;
    },
    get tessera() {
      return stage.tessera;
    },
    get shop() {
      return stage.shop;
    },
    get browser() {
      return stage.browser;
    },
  };
}

/**
 * A demo app on a port the system picks, then registered with Tessera for that port: picking a free port first and
 * binding it later lets another process take it in between (EADDRINUSE).
 */
export async function startRegisteredDemoApp(
  tessera: RunningTessera,
  which: 'shop' | 'forum',
  client: Partial<ClientInput> = {},
  app: Partial<DemoAppOptions> = {},
): Promise<DemoApp> {
  const index = which === 'shop' ? 0 : 1;
  const { publicUrl: _chosenLater, ...config } = demoClients()[index].app;
  const started = await startDemoApp({ ...config, port: 0, issuer: tessera.url, ...app });
  const registered = demoClients({ [which]: Number(new URL(started.url).port) })[index];
  try {
    await tessera.clients.add({ ...registered.client, ...client });
  } catch (err) {
    await started.close();
    throw err;
  }
  return started;
}

/** Signs in at the demo shop with e-mail and password, as a customer would, and waits for "Signed in as". */
export async function signInAtShop(page: Page, shopUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${shopUrl}/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
}
