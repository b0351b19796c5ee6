import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { formatTokens } from '../format.ts';
import { formatOption, parseFormat, RequiredOption } from '../options.ts';

export default (ctx: CliContext) =>
  new Command('tokens')
    .description("a person's OTP tokens: serial, state, failed codes, locked until when; never a secret")
    .addOption(new RequiredOption('--user <name>', 'the person', 'an e-mail or directory name'))
    .addOption(formatOption())
    .action(
      act(ctx, async (o: { user: string; format: string }) => {
        const format = parseFormat(o.format);
        await ctx.withAdmin(async (admin) => {
          const { tokens } = await admin.tokens.list(o.user);
          console.log(format === 'json' ? JSON.stringify(tokens, null, 2) : formatTokens(tokens, Date.now()));
        });
      }),
    );
