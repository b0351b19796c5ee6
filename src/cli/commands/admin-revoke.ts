import { Command } from 'commander';
import type { GrantInput } from '../../admin/index.ts';
import { act, type CliContext } from '../context.ts';
import { grantOptions } from './admin-grant.ts';

export default (ctx: CliContext) =>
  grantOptions(
    new Command('revoke').description('take a role back, as it was granted (same --user/--group and --scope)'),
  ).action(
    act(ctx, (o: GrantInput) =>
      ctx.withAdmin(async (admin) => {
        await admin.roles.revoke(o);
        console.log(`revoked ${o.role}${o.scope ? ` for ${o.scope}` : ''} from ${o.user ?? `group ${o.group}`}`);
      }),
    ),
  );
