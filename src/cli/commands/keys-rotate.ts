import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('rotate').description('new signing keys; old ones stay published until their tokens expire').action(
    act(ctx, () =>
      ctx.withAdmin(async (admin) => {
        console.log((await admin.rotateSigningKeys()).join('\n'));
      }),
    ),
  );
