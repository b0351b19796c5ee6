// `npm run bench`: each line compares Tessera with a baseline measured side by side in this run.
import { benchClientCredentials, benchPasswordSignIns } from './oidc.ts';
import { benchDirectorySignIns } from './directory.ts';
import { benchOtpValidate } from './otp.ts';
import { benchRadiusLogins } from './radius.ts';
import { benchSamlSso } from './saml.ts';
import { benchAuditScale } from './audit-scale.ts';
import { benchAuditAppends } from './audit-appends.ts';
import { benchHotRows } from './hot-rows.ts';
import type { Outcome } from './load.ts';

const only = process.argv[2];
const benches: Record<string, () => Promise<Outcome>> = {
  'client-credentials': benchClientCredentials,
  'password-sign-ins': benchPasswordSignIns,
  'directory-sign-ins': benchDirectorySignIns,
  'otp-validate': benchOtpValidate,
  'radius-logins': benchRadiusLogins,
  'saml-sso': benchSamlSso,
  'audit-scale': benchAuditScale,
  'audit-appends': benchAuditAppends,
  'hot-rows': benchHotRows,
};

const outcomes: Outcome[] = [];
for (const [name, bench] of Object.entries(benches)) {
  if (only && only !== name) continue;
  outcomes.push(await bench());
}
console.log(`\nsummary: ${outcomes.filter((o) => o.met).length} of ${outcomes.length} goals met`);
