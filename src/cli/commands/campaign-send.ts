import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';
import { readText } from '../files.ts';

interface Options {
  subject: string;
  html: string;
  text?: string;
}

export default (ctx: CliContext) =>
  new Command('send')
    .description('marketing mail to every customer who opted in, with one-click unsubscribe')
    .addOption(new RequiredOption('--subject <text>', 'the subject line'))
    .addOption(new RequiredOption('--html <file>', 'the HTML body'))
    .option('--text <file>', 'the plain-text body (default: made from the HTML)')
    .action(
      act(ctx, async (o: Options) => {
        const text = o.text === undefined ? undefined : readText(o.text, 'text');
        const input = { subject: o.subject, html: readText(o.html, 'html'), text };
        await ctx.withAdmin(async (admin, config) => {
          const { recipients } = await admin.sendCampaign(input);
          const pace = `the running server sends them at ${config.mail.marketingPerMinute} a minute`;
          console.log(`queued ${recipients} mails; ${pace}`);
        });
      }),
    );
