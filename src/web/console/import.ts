// Hardware token import from the console (administrators): the vendor's PSKC file (with its password or key file) or
// a seed file, uploaded as a form; the admin service checks the whole file before it stores a token, as the CLI's.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maxPskcBytes, type PskcSecrets } from '../../admin/index.ts';
import { importPage, importResultPage } from '../pages/console-pages.ts';
import type { ConsoleKit } from './kit.ts';
import { personView } from './person-view.ts';

/** A file key: its bytes, or the same written in hex (as vendors mail them). */
function keyOf(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1').trim();
  return /^([0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/.test(text) ? Buffer.from(text, 'hex') : bytes;
}

/** The form's fields and files; a part past the limits ends the upload (413). */
async function readForm(
  req: FastifyRequest,
): Promise<{ fields: Record<string, string>; files: Record<string, Buffer> }> {
  const fields: Record<string, string> = {};
  const files: Record<string, Buffer> = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') files[part.fieldname] = await part.toBuffer();
    else fields[part.fieldname] = String(part.value);
  }
  return { fields, files };
}

export async function registerConsoleImport(app: FastifyInstance, kit: ConsoleKit): Promise<void> {
  // Multipart only here: a file of tokens, at most a PSKC file's size, a key file and a few fields.
  await app.register(multipart, { limits: { fileSize: maxPskcBytes, files: 2, fields: 4, parts: 6 } });
  const { frameFor } = personView(kit);

  app.get('/console/tokens/import', async (req, reply) => {
    const session = await kit.signedIn(req, reply);
    if (!session) return reply;
    return kit.page(reply, 200, importPage(await frameFor(session)));
  });

  app.post('/console/tokens/import', { bodyLimit: maxPskcBytes + 64 * 1024 }, async (req, reply: FastifyReply) => {
    const session = await kit.signedIn(req, reply);
    if (!session) return reply;
    const { fields, files } = await readForm(req);
    if (!kit.options.csrf.valid(`console:${session.uid}`, fields.csrf)) return kit.csrfRefused(reply);
    const text = (files.file ?? Buffer.alloc(0)).toString('utf8');
    const admin = kit.adminFor(session);
    const secrets: PskcSecrets = {
      ...(fields.password ? { password: fields.password } : {}),
      ...(files.key?.length ? { key: keyOf(files.key) } : {}),
    };
    try {
      const pskc = text
        .replace(/^\uFEFF/, '')
        .trimStart()
        .startsWith('<');
      const result = pskc
        ? await admin.tokens.importPskcFile(text, secrets)
        : await admin.tokens.importSeedFile(text, 'hex');
      const status = result.problems.length > 0 ? 400 : 200;
      return kit.page(reply, status, importResultPage(await frameFor(session), result));
    } catch (err) {
      return kit.refusal(reply, err);
    }
  });
}
