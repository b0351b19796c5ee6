import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('rotate')
    .description('the published next SAML signing key signs from now on; a new next key is published')
    .action(
      act(ctx, () =>
        ctx.withAdmin(async (admin) => {
          const keys = await admin.saml.rotateKeys();
          console.log(`signing with ${keys.current}; next key ${keys.next} published at /saml/metadata`);
        }),
      ),
    );
