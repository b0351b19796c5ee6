import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';

export default (ctx: CliContext) =>
  new Command('remove')
    .description('remove a SAML app: Tessera answers its requests no more')
    .addOption(new RequiredOption('--entity-id <id>', "the app's entity ID"))
    .action(
      act(ctx, (o: { entityId: string }) =>
        ctx.withAdmin(async (admin) => {
          await admin.saml.remove(o.entityId);
          console.log(`removed ${o.entityId}`);
        }),
      ),
    );
