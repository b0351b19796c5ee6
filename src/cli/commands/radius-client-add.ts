import { Command } from 'commander';
import { act, type CliContext } from '../context.ts';
import { collect, RequiredOption } from '../options.ts';
import { readSecret } from '../secrets.ts';

interface Options {
  name: string;
  address: string;
  secret?: string;
  secretStdin?: boolean;
  passwordAndCode?: boolean;
  messageAuthenticator: boolean;
  group?: string[];
}

export default (ctx: CliContext) =>
  new Command('add')
    .description('a VPN gateway; without a secret given, a random one is made and shown once (the recommended way)')
    .addOption(new RequiredOption('--name <name>', "the gateway's name; its policy app is radius:<name>"))
    .addOption(new RequiredOption('--address <ip|cidr>', 'where its packets come from'))
    .option('--secret-stdin', 'read the shared secret from standard input (at a terminal: asked for without echo)')
    .option('--secret <secret>', 'for scripts only: the shell history and the process list keep it')
    .option('--password-and-code', 'the gateway sends password and code in one field (no Access-Challenge)')
    .option('--no-message-authenticator', 'accept packets without Message-Authenticator (old gateways only)')
    .option('--group <name>', 'only members of this directory group log in through it; repeat for more', collect)
    .action(
      act(ctx, async (o: Options) => {
        const secret =
          o.secret === undefined && !o.secretStdin
            ? undefined
            : await readSecret({
                value: o.secret,
                fromStdin: o.secretStdin,
                option: '--secret',
                stdinOption: '--secret-stdin',
                prompt: `Shared secret for ${o.name}: `,
              });
        await ctx.withAdmin(async (admin, config) => {
          const {
            client,
            secret: made,
            generated,
          } = await admin.radiusClients.add({
            name: o.name,
            address: o.address,
            secret,
            passwordAndCode: o.passwordAndCode,
            requireMessageAuthenticator: o.messageAuthenticator,
            allowedGroups: o.group ?? [],
          });
          console.log(JSON.stringify(client, null, 2));
          if (generated) {
            console.log(`shared secret: ${made}`);
            console.log('Keep it now: it is not shown again. Running servers pick the client up at its first packet.');
          }
          if (!config.radius) {
            console.error(
              'note: RADIUS is not configured here (radius.port, TESSERA_RADIUS_PORT); no server will listen.',
            );
          }
        });
      }),
    );
