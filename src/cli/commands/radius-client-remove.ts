import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';

export default (ctx: CliContext) =>
  new Command('remove')
    .description('stop answering a gateway added with radius client add')
    .addOption(new RequiredOption('--name <name>', "the gateway's name"))
    .action(
      act(ctx, (o: { name: string }) =>
        ctx.withAdmin(async (admin) => {
          await admin.radiusClients.remove(o.name);
          console.log(`removed ${o.name}; running servers stop answering it now`);
        }),
      ),
    );
