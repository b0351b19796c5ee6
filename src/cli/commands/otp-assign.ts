import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';
import { serialOption } from './otp-unlock.ts';

export default (ctx: CliContext) =>
  new Command('assign')
    .description('give a person an imported hardware token; it works at once')
    .addOption(new RequiredOption('--user <name>', 'the person', 'an e-mail or directory name'))
    .addOption(serialOption())
    .action(
      act(ctx, (o: { user: string; serial: string }) =>
        ctx.withAdmin(async (admin) => {
          const { account } = await admin.tokens.assign(o.user, o.serial);
          console.log(`assigned ${o.serial} to ${account.username ?? account.email}; it works at once`);
        }),
      ),
    );
