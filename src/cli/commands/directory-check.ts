import { Command } from 'commander';
import { checkDirectory, AdminError } from '../../admin/index.ts';
import { systemClock } from '../../clock/index.ts';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('check')
    .description('connect, bind the service account and search; no database needed')
    .option(
      '--user <name>',
      'also show the entry this name signs in as, mapped as Tessera sees it (no password needed)',
    )
    .action(
      act(ctx, async (o: { user?: string }) => {
        const { directory } = ctx.config();
        if (!directory) throw new AdminError('admin.no_directory');
        const report = await checkDirectory(directory, o.user, systemClock);
        for (const server of report.failedServers) console.log(`did not answer: ${server}`);
        if (report.bound) console.log(`service account ${report.bindDn}: bound, and searched ${report.baseDn}`);
        if (report.problem) {
          const { message, diagnostic } = report.problem;
          console.error(`${message}${diagnostic ? ` (the directory said: ${diagnostic})` : ''}`);
          return 1;
        }
        if (report.entry === null) {
          console.error(`no entry matches ${o.user}: check userFilter, attributes.login and domains`);
          return 1;
        }
        if (report.entry) console.log(JSON.stringify(report.entry, null, 2));
      }),
    );
