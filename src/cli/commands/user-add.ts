import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { RequiredOption } from '../options.ts';
import { readSecret } from '../secrets.ts';

interface Options {
  email: string;
  password?: string;
  passwordStdin?: boolean;
  name?: string;
  workforce?: boolean;
}

export default (ctx: CliContext) =>
  new Command('add')
    .description('create a confirmed account; at a terminal the password is asked for without echo')
    .addOption(new RequiredOption('--email <email>', 'the e-mail address the person signs in with'))
    .option('--password-stdin', 'read the password from standard input (at a terminal: asked for without echo)')
    .option('--password <password>', 'for scripts only: the shell history and the process list keep it')
    .option('--name <name>', "the person's name")
    .option('--workforce', 'a staff account kept here, not in a directory (it may use the VPN)')
    .action(
      act(ctx, async (o: Options) => {
        const password = await readSecret({
          value: o.password,
          fromStdin: o.passwordStdin,
          option: '--password',
          stdinOption: '--password-stdin',
          prompt: `Password for ${o.email}: `,
          confirm: true,
        });
        if (password === undefined) {
          const how = 'pipe it in with --password-stdin, or run this at a terminal to be asked';
          throw new CliError('cli.missing_option', '--password-stdin', `a password is required: ${how}`);
        }
        await ctx.withAdmin(async (admin) => {
          const account = await admin.addUser({ email: o.email, password, name: o.name, workforce: o.workforce });
          console.log(`created ${account.kind} account ${account.email} (${account.id})`);
        });
      }),
    );
