// The browser suites' stage: a real SMTP server, Tessera mailing through it, the demo shop as a first-party app,
// and headless Chromium — started before the suite's tests and stopped after them.
import { before, after } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ConfigInput } from '../../src/config.ts';
import type { ClientInput } from '../../src/oidc/index.ts';
import { startTessera, freePort, type RunningTessera } from './tessera.ts';
import { startSmtpServer, type SmtpTestServer } from './smtp.ts';
import { launchBrowser } from './browser.ts';
import { demoClients } from '../../examples/demo-clients.ts';
import { startDemoApp, type DemoApp } from '../../examples/relying-party/index.ts';

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
    const [shopClient] = demoClients({ shop: await freePort(), forum: await freePort() });
    await stage.tessera.clients.add({ ...shopClient.client, first_party: true, ...options.shop });
    stage.shop = await startDemoApp({ ...shopClient.app, issuer: stage.tessera.url });
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

/** Signs in at the demo shop with e-mail and password, as a customer would, and waits for "Signed in as". */
export async function signInAtShop(page: Page, shopUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${shopUrl}/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
}
