import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';

export default (ctx: CliContext) =>
  new Command('remove')
    .description('remove an app: its tokens stop working')
    .addOption(new RequiredOption('--id <id>', 'the client_id'))
    .action(
      act(ctx, (o: { id: string }) =>
        ctx.withAdmin(async (admin) => {
          await admin.clients.remove(o.id);
          console.log(`removed ${o.id}`);
        }),
      ),
    );
