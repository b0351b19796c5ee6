import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('sync').description('disable accounts gone or disabled in the directory, and end their sessions').action(
    act(ctx, () =>
      ctx.withAdmin(async (admin) => {
        const result = await admin.syncDirectory();
        console.log(`checked ${result.checked} workforce accounts, disabled ${result.disabled}`);
      }),
    ),
  );
