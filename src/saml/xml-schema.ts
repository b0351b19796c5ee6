// The schema check samlify asks for before it reads a message (it refuses to run without one): the SAML 2.0
// protocol schema with xmllint compiled to WebAssembly (xmllint-wasm), so it runs offline and in-process. The
// schema files are the ones @authenio/samlify-xmllint-wasm ships, read once.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const files = [
  'saml-schema-protocol-2.0.xsd',
  'saml-schema-assertion-2.0.xsd',
  'xmldsig-core-schema.xsd',
  'xenc-schema.xsd',
  'datatypes.dtd',
  'XMLSchema.dtd',
];

function loadSchemas() {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@authenio/samlify-xmllint-wasm/package.json')), 'build', 'schemas');
  return files.map((fileName) => ({ fileName, contents: readFileSync(join(dir, fileName), 'utf8') }));
}

/** samlify's validator: resolves when `xml` is valid against the SAML protocol schema, else rejects. */
export function createSchemaValidator(): { validate(xml: string): Promise<string> } {
  const [protocol, ...preload] = loadSchemas();
  return {
    async validate(xml: string) {
      const result = await validateXML({
        xml: [{ fileName: 'message.xml', contents: xml }],
        schema: [protocol!],
        preload,
      });
      if (!result.valid) throw new Error('ERR_EXCEPTION_VALIDATE_XML');
      return 'valid';
    },
  };
}
