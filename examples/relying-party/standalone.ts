// Running one demo app on its own, from its folder's index.ts, against an already running Tessera.
import { startDemoApp } from './index.ts';
import type { DemoAppOptions } from './options.ts';

/** What differs between the shop and the forum; the issuer comes from where they run. */
export type DemoAppConfig = Omit<DemoAppOptions, 'issuer'>;

export async function runStandalone(config: DemoAppConfig): Promise<void> {
  const issuer = process.env.TESSERA_ISSUER ?? 'http://localhost:8080';
  const app = await startDemoApp({ ...config, issuer });
  console.log(`${config.name} on ${app.url} (signs in at ${issuer})`);
  const stop = () => void app.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
