import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { formatTable, utc } from '../format.ts';
import { formatOption, parseFormat } from '../options.ts';

export default (ctx: CliContext) =>
  new Command('list')
    .description('who holds which role (the command line itself acts as admin)')
    .addOption(formatOption())
    .action(
      act(ctx, (o: { format: string }) => {
        const format = parseFormat(o.format);
        return ctx.withAdmin(async (admin) => {
          const grants = await admin.roles.list();
          if (format === 'json') {
            console.log(JSON.stringify(grants, null, 2));
            return;
          }
          if (grants.length === 0) {
            console.log('no roles granted: grant the first with admin grant --user NAME --role admin');
            return;
          }
          const rows = [['ROLE', 'TO', 'LIMITED TO', 'GRANTED BY', 'SINCE (UTC)']];
          for (const g of grants) {
            const to = g.grantee.kind === 'group' ? `group ${g.granteeName}` : g.granteeName;
            const scope = g.scope === null ? '' : g.scope.kind === 'ou' ? `OU ${g.scope.dn}` : `group ${g.scope.group}`;
            rows.push([g.role, to, scope, g.grantedBy, utc(g.createdAt)]);
          }
          console.log(formatTable(rows));
        });
      }),
    );
