import { Command } from 'commander';
import type { ChainProblem } from '../../audit/index.ts';
import { act, type CliContext } from '../context.ts';

const why: Record<ChainProblem, string> = {
  changed: 'the event was changed after it was written',
  relinked: 'the event was rewritten to follow another',
  missing: 'events before it were removed',
  tail_removed: 'the newest events were removed after another chain anchored them',
  anchor_mismatch: 'it differs from what another chain anchored (this event or that anchor was changed)',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export default (ctx: CliContext) =>
  new Command('verify')
    .description("check the audit log's hash chains, each on its own and against the anchors the others recorded")
    .action(
      act(ctx, () =>
        ctx.withAdmin(async (admin) => {
          const verdict = await admin.audit.verify();
          for (const c of verdict.chains) {
            const counts = `${plural(c.events, 'event')}, ${plural(c.anchors, 'anchor')}`;
            if (c.ok) {
              console.log(`chain ${c.chain}: ${counts}, ok`);
              continue;
            }
            const seen = c.anchor ? ` (anchor: chain ${c.anchor.chain} event ${c.anchor.seq})` : '';
            const problem = c.problem ? why[c.problem] : '';
            console.log(`chain ${c.chain}: ${counts}, BROKEN at event ${c.brokenAt}: ${problem}${seen}`);
          }
          const total = `${plural(verdict.events, 'event')} and ${plural(verdict.anchors, 'anchor')} in ${plural(verdict.chains.length, 'chain')}`;
          if (verdict.ok) {
            console.log(`audit log intact: ${total}, each event chained to the one before in its chain`);
            return 0;
          }
          const broken = verdict.chains.filter((c) => !c.ok).length;
          console.error(
            `audit log broken: ${broken} of ${plural(verdict.chains.length, 'chain')} (${total}); first: chain ${verdict.chain} at event ${verdict.brokenAt}`,
          );
          return 1;
        }),
      ),
    );
