import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { formatEvents } from '../format.ts';
import { formatOption, limitOption, parseFormat, parseLimit } from '../options.ts';

interface Options {
  user?: string;
  action?: string;
  limit: string;
  format: string;
}

export default (ctx: CliContext) =>
  new Command('audit')
    .description('the audit log, newest first: why a sign-in or VPN login was refused, who changed what')
    .option('--user <name>', 'events about this person (an e-mail or directory name in any form) or this name as typed')
    .option('--action <prefix>', 'an action or its first parts, like radius or radius.reject')
    .addOption(limitOption())
    .addOption(formatOption())
    .action(
      act(ctx, async (o: Options) => {
        const query = { user: o.user, action: o.action, limit: parseLimit(o.limit) };
        const format = parseFormat(o.format);
        await ctx.withAdmin(async (admin) => {
          const { events, names } = await admin.audit.list(query);
          console.log(format === 'json' ? JSON.stringify(events, null, 2) : formatEvents(events, names));
        });
      }),
    );
