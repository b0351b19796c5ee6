import { Command, Option } from 'commander';
import type { SeedEncoding } from '../../admin/index.ts';
import { act, type CliContext } from '../context.ts';
import { readText } from '../files.ts';
import { RequiredOption } from '../options.ts';

const encodings: SeedEncoding[] = ['hex', 'base32'];

export default (ctx: CliContext) =>
  new Command('import')
    .description(
      "hardware tokens from the vendor's seed file, one per line: serial,secret[,digits[,period]] " +
        '(period 30, 60 or hotp); the whole file is checked before anything is stored',
    )
    .addOption(new RequiredOption('--file <file>', 'the seed file'))
    .addOption(new Option('--encoding <encoding>', 'how the secrets are written').choices(encodings).default('hex'))
    .action(
      act(ctx, async (o: { file: string; encoding: SeedEncoding }) => {
        const text = readText(o.file, 'file');
        return ctx.withAdmin(async (admin) => {
          const result = await admin.tokens.importSeedFile(text, o.encoding);
          if (result.problems.length > 0) {
            for (const problem of result.problems) console.error(problem);
            console.error(`nothing imported: mend ${o.file} and run again`);
            return 1;
          }
          const { alreadyThere } = result;
          const present =
            alreadyThere.length > 0 ? `; already there, left as they were: ${alreadyThere.join(', ')}` : '';
          console.log(`imported ${result.imported} hardware token(s)${present}`);
        });
      }),
    );
