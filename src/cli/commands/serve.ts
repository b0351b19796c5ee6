import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('serve')
    .description('start Tessera (HTTP on http.port, RADIUS on radius.port when configured)')
    .option('--demo', 'with the demo shop and forum, a demo VPN gateway and a mailbox page')
    .option('--workers <n>', 'processes of this node: a number, or "auto" for one per core (server.workers)')
    .action(
      act(ctx, async (o: { demo?: boolean; workers?: string }) => {
        const { serve } = await import('../../serve.ts');
        const workers = o.workers === undefined ? undefined : o.workers === 'auto' ? 'auto' : Number(o.workers);
        return serve(
          ctx.config({ ...(o.demo ? { demo: true } : {}), ...(workers === undefined ? {} : { server: { workers } }) }),
        );
      }),
    );
