import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { collect, RequiredOption } from '../options.ts';

interface Options {
  app: string;
  otp: string;
  goLive?: string;
  graceDays?: string;
  group?: string[];
}

function goLiveAt(date: string | undefined): number | null {
  if (date === undefined) return null;
  const at = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(at)) throw new CliError('cli.invalid_option', 'go-live', '--go-live must be a date like 2026-12-01');
  return at;
}

// NAME=MODE, split at the last '=' (a group name may hold one); the admin service checks the modes.
function groups(entries: string[]): Array<{ name: string; mode: string }> {
  return entries.map((entry) => {
    const at = entry.lastIndexOf('=');
    if (at < 1) {
      throw new CliError('cli.invalid_option', 'group', `--group ${entry} must be NAME=off|optional|required`);
    }
    return { name: entry.slice(0, at), mode: entry.slice(at + 1) };
  });
}

export default (ctx: CliContext) =>
  new Command('set')
    .description('which app asks for the one-time code, from when, for whom')
    .addOption(new RequiredOption('--app <id>', 'the app: a client_id, or radius:<gateway name> for a VPN gateway'))
    .addOption(new RequiredOption('--otp <mode>', 'off, optional or required'))
    .option('--go-live <date>', 'YYYY-MM-DD (UTC): required from then on; before it, people are asked to register')
    .option('--grace-days <n>', 'before go-live, ask people to register for this many days (0 to 365)')
    .option('--group <name=mode>', 'a mode for the members of a directory group; repeat for more', collect)
    .action(
      act(ctx, async (o: Options) => {
        const input = {
          appId: o.app,
          otp: o.otp,
          goLiveAt: goLiveAt(o.goLive),
          graceDays: o.graceDays === undefined ? 0 : Number(o.graceDays),
          groups: groups(o.group ?? []),
        };
        await ctx.withAdmin(async (admin) => {
          console.log(JSON.stringify(await admin.setPolicy(input), null, 2));
        });
      }),
    );
