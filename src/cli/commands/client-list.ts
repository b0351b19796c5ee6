import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('list').description('the registered apps, never a secret').action(
    act(ctx, () =>
      ctx.withAdmin(async (admin) => {
        console.log(JSON.stringify(await admin.clients.list(), null, 2));
      }),
    ),
  );
