import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('list').description('which app asks for the one-time code, from when, for whom').action(
    act(ctx, () =>
      ctx.withAdmin(async (admin) => {
        console.log(JSON.stringify(await admin.listPolicies(), null, 2));
      }),
    ),
  );
