import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';

export default (ctx: CliContext) =>
  new Command('serve')
    .description('start Tessera (HTTP on http.port, RADIUS on radius.port when configured)')
    .option('--demo', 'with the demo shop and forum, a demo VPN gateway and a mailbox page')
    .action(
      act(ctx, async (o: { demo?: boolean }) => {
        const { serve } = await import('../../serve.ts');
        await serve(ctx.config(o.demo ? { demo: true } : {}));
      }),
    );
