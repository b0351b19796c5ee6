import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { formatSessions } from '../format.ts';
import { formatOption, limitOption, parseFormat, parseLimit } from '../options.ts';

interface Options {
  active?: boolean;
  user?: string;
  limit: string;
  format: string;
}

export default (ctx: CliContext) =>
  new Command('sessions')
    .description('VPN sessions the gateways reported by accounting, newest first')
    .option('--active', 'only those no Stop has ended')
    .option('--user <name>', 'only this user name, as the gateway sent it')
    .addOption(limitOption())
    .addOption(formatOption())
    .action(
      act(ctx, async (o: Options) => {
        const query = { active: o.active, user: o.user, limit: parseLimit(o.limit) };
        const format = parseFormat(o.format);
        await ctx.withAdmin(async (admin) => {
          const sessions = await admin.vpnSessions.list(query);
          console.log(format === 'json' ? JSON.stringify(sessions, null, 2) : formatSessions(sessions));
        });
      }),
    );
