// The demo forum: one configuration of the shared relying party. `node examples/forum/index.ts` runs it alone
// (TESSERA_ISSUER, default http://localhost:8080); `npm start` runs it beside Tessera.
import { runStandalone, type DemoAppConfig } from '../relying-party/standalone.ts';

export const forum: DemoAppConfig = {
  name: 'Demo Forum',
  clientId: 'demo-forum',
  // A published demo value, not a secret: Tessera registers it only in demo mode.
  clientSecret: 'demo-forum-secret-not-for-production-use',
  port: 8082,
  theme: { accent: '#6a2c91', background: '#f6f0fa' },
};

if (import.meta.main) await runStandalone(forum);
