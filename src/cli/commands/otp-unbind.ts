import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { serialOption } from './otp-unlock.ts';

export default (ctx: CliContext) =>
  new Command('unbind')
    .description('a lost or returned token stops working at once; the person registers a new one')
    .addOption(serialOption())
    .action(
      act(ctx, (o: { serial: string }) =>
        ctx.withAdmin(async (admin) => {
          await admin.tokens.unbind(o.serial);
          console.log(`unbound ${o.serial}: it no longer works; the person registers a new token on the account page`);
        }),
      ),
    );
