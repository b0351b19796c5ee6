import { Command } from 'commander';
import { openStore, operatorLockWaitMs } from '../../store/index.ts';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('migrate').description('apply database migrations (serve does it too at start)').action(
    act(ctx, async () => {
      const store = openStore(ctx.config().databaseUrl, { lockWaitMs: operatorLockWaitMs });
      try {
        const applied = await store.migrate();
        console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await store.close();
      }
    }),
  );
