// Numbered, never edited once landed: a change is a new migration.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_self_service.ts';
import * as m0003 from './0003_otp.ts';
import * as m0004 from './0004_policy.ts';
import * as m0005 from './0005_limits.ts';
import * as m0006 from './0006_reset.ts';
import * as m0007 from './0007_radius.ts';
import * as m0008 from './0008_radius_clients_sessions.ts';
import * as m0009 from './0009_lookup_indexes.ts';
import * as m0010 from './0010_radius_client_groups.ts';
import * as m0011 from './0011_signin_flows.ts';
import * as m0012 from './0012_radius_challenge_steps.ts';
import * as m0013 from './0013_saml.ts';
import * as m0014 from './0014_otp_registration.ts';
import * as m0015 from './0015_social_links.ts';
import * as m0016 from './0016_operator_roles.ts';
import * as m0018 from './0018_account_locale.ts';
import * as m0019 from './0019_console_scope.ts';
import * as m0020 from './0020_audit_chains.ts';
import * as m0021 from './0021_cluster.ts';
import * as m0022 from './0022_workforce_index.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_self_service': m0002,
  '0003_otp': m0003,
  '0004_policy': m0004,
  '0005_limits': m0005,
  '0006_reset': m0006,
  '0007_radius': m0007,
  '0008_radius_clients_sessions': m0008,
  '0009_lookup_indexes': m0009,
  '0010_radius_client_groups': m0010,
  '0011_signin_flows': m0011,
  '0012_radius_challenge_steps': m0012,
  '0013_saml': m0013,
  '0014_otp_registration': m0014,
  '0015_social_links': m0015,
  '0016_operator_roles': m0016,
  '0018_account_locale': m0018,
  '0019_console_scope': m0019,
  '0020_audit_chains': m0020,
  '0021_cluster': m0021,
  '0022_workforce_index': m0022,
};
