// `npm run bench`: each line compares Tessera with a baseline measured side by side in this run.
import { benchClientCredentials, benchPasswordSignIns } from './oidc.ts';
import { benchDirectorySignIns } from './directory.ts';
import { benchOtpValidate } from './otp.ts';
import { benchRadiusLogins } from './radius.ts';
import { benchSamlSso } from './saml.ts';
import { benchAccountsScale } from './scale.ts';
import { benchSqliteWal } from './wal.ts';
import { benchLatency } from './latency.ts';
import { benchDirectoryOidcLogins } from './directory-oidc.ts';
import { benchScaling } from './scaling.ts';
import { benchRadiusCores } from './radius-cores.ts';
import { benchAuditScale } from './audit-scale.ts';
import { benchAuditAppends } from './audit-appends.ts';
import { benchHotRows } from './hot-rows.ts';
import type { Outcome } from './load.ts';

const only = process.argv[2];
const benches: Record<string, () => Promise<Outcome>> = {
  'client-credentials': benchClientCredentials,
  'password-sign-ins': benchPasswordSignIns,
  'directory-sign-ins': benchDirectorySignIns,
  'directory-oidc-logins': benchDirectoryOidcLogins,
  'otp-validate': benchOtpValidate,
  'radius-logins': benchRadiusLogins,
  'saml-sso': benchSamlSso,
  'sqlite-wal': benchSqliteWal,
  'accounts-scale': benchAccountsScale,
  latency: benchLatency,
  scaling: benchScaling,
  'radius-cores': benchRadiusCores,
  'audit-scale': benchAuditScale,
  'audit-appends': benchAuditAppends,
  'hot-rows': benchHotRows,
};

const outcomes: Outcome[] = [];
for (const [name, bench] of Object.entries(benches)) {
  if (only && only !== name) continue;
  outcomes.push(await bench());
}
const goals = outcomes.filter((o) => o.met !== undefined);
console.log(`\nsummary: ${goals.filter((o) => o.met).length} of ${goals.length} goals met`);
