import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';

export const serialOption = () =>
  new RequiredOption('--serial <serial>', 'the token', 'as printed on the token or shown by otp tokens');

export default (ctx: CliContext) =>
  new Command('unlock')
    .description("helpdesk, once the person is identified: lift a token's lock and clear its failed codes")
    .addOption(serialOption())
    .action(
      act(ctx, (o: { serial: string }) =>
        ctx.withAdmin(async (admin) => {
          await admin.tokens.unlock(o.serial);
          console.log(`unlocked ${o.serial}: its failed codes are cleared`);
        }),
      ),
    );
