import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('list').description('the SAML apps, with their settings').action(
    act(ctx, () =>
      ctx.withAdmin(async (admin) => {
        console.log(JSON.stringify(await admin.saml.list(), null, 2));
      }),
    ),
  );
