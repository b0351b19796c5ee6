import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';

export default (ctx: CliContext) =>
  new Command('registration-code')
    .description(
      'helpdesk, once the person is identified: a single-use code that stands in for the SMS code at /otp/register',
    )
    .addOption(new RequiredOption('--user <name>', 'the person', 'a directory name'))
    .action(
      act(ctx, (o: { user: string }) =>
        ctx.withAdmin(async (admin) => {
          const issued = await admin.registrationCodes.issue(o.user);
          console.log(`registration code for ${issued.user}: ${issued.code}`);
          console.log(
            `valid once, until ${new Date(issued.expiresAt).toISOString()}; any earlier code no longer works`,
          );
        }),
      ),
    );
