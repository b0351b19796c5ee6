import { Command, Option } from 'commander';
import { roles, type GrantInput } from '../../admin/index.ts';
import { act, type CliContext } from '../context.ts';
import { RequiredOption } from '../options.ts';

/** The options `admin grant` and `admin revoke` share: the role, who holds it, and a helpdesk grant's limit. */
export function grantOptions(command: Command): Command {
  return command
    .addOption(new RequiredOption('--role <role>', `${roles.join(', ')}`))
    .addOption(new Option('--user <name>', 'a person: e-mail address or directory name (they signed in once)'))
    .addOption(new Option('--group <group>', 'a directory group: its members hold the role'))
    .addOption(
      new Option(
        '--scope <group>',
        'helpdesk only: limited to the members of this directory group, or to the people at or below this OU (its DN)',
      ),
    );
}

export default (ctx: CliContext) =>
  grantOptions(
    new Command('grant').description(
      'give a person or a directory group a role in the admin service and the console: admin (everything), ' +
        'helpdesk (people and their tokens, all or one group or OU), auditor (the audit log only)',
    ),
  ).action(
    act(ctx, (o: GrantInput) =>
      ctx.withAdmin(async (admin) => {
        const { added } = await admin.roles.grant(o);
        const who = o.user ?? `group ${o.group}`;
        const scope = o.scope?.includes('=')
          ? ` for the people in OU ${o.scope}`
          : o.scope
            ? ` for the members of ${o.scope}`
            : '';
        console.log(added ? `granted ${o.role}${scope} to ${who}` : `${who} holds ${o.role}${scope} already`);
      }),
    ),
  );
