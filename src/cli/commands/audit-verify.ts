import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('verify').description("check the audit log's hash chain: was any event changed or removed").action(
    act(ctx, () =>
      ctx.withAdmin(async (admin) => {
        const verdict = await admin.audit.verify();
        if (verdict.ok) {
          console.log(`audit log intact: ${verdict.events} events, each chained to the one before`);
          return 0;
        }
        const why = 'it, or one before it, was changed or removed after it was written';
        console.error(`audit log broken at event ${verdict.brokenAt}: ${why}`);
        return 1;
      }),
    ),
  );
