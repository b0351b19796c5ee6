// The demo shop: one configuration of the shared relying party. `node examples/shop/index.ts` runs it alone
// (TESSERA_ISSUER, default http://localhost:8080); `npm start` runs it beside Tessera.
import { runStandalone, type DemoAppConfig } from '../relying-party/standalone.ts';

export const shop: DemoAppConfig = {
  name: 'Demo Shop',
  clientId: 'demo-shop',
  // A published demo value, not a secret: Tessera registers it only in demo mode.
  clientSecret: 'demo-shop-secret-not-for-production-use',
  port: 8081,
  theme: { accent: '#0b6e4f', background: '#eff8f4' },
};

if (import.meta.main) await runStandalone(shop);
