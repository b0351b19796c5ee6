import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('rotate')
    .description(
      'the published next keys sign from now on, new next keys are published; old ones stay published until their ' +
        'tokens expire (every running node follows at once)',
    )
    .option(
      '--force',
      'even when the next keys are younger than cluster.backstopSeconds (a node may not publish them yet)',
    )
    .action(
      act(ctx, (o: { force?: boolean }) =>
        ctx.withAdmin(async (admin) => {
          console.log((await admin.rotateSigningKeys({ force: o.force })).join('\n'));
        }),
      ),
    );
