// SAML service providers for tests: @node-saml/node-saml (the library passport-saml apps run on) as a real SP,
// driven through Tessera's pages by a cookie-jar agent; xmlsec1 (Debian) checks every signature independently.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { selfSignedCertificate } from '../../src/saml/certificate.ts';
import { type createAgent, hiddenField, type RunningTessera } from './tessera.ts';

export const acsUrl = 'http://127.0.0.1:9/saml/acs';

/** The IdP's signing certificates from its published metadata (current first, then next), as PEM. */
export async function idpCertificates(tessera: RunningTessera): Promise<string[]> {
  const metadata = await (await fetch(`${tessera.url}/saml/metadata`)).text();
  return [...metadata.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map(
    (m) => `-----BEGIN CERTIFICATE-----\n${m[1]!.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`,
  );
}

/** A node-saml SP that trusts Tessera's metadata, registered with Tessera from its own metadata. */
export async function registerNodeSamlSp(
  tessera: RunningTessera,
  entityId: string,
  options: {
    name?: string;
    config?: Partial<SamlConfig>;
    settings?: Record<string, unknown>;
    /** The SP signs its AuthnRequests with `config.privateKey`: its metadata says so and carries this certificate. */
    signingCert?: string;
    /** Its metadata publishes this encryption certificate (`use="encryption"`); `config.decryptionPvk` reads. */
    decryptionCert?: string;
  } = {},
) {
  const certificates = await idpCertificates(tessera);
  const sp = new SAML({
    callbackUrl: acsUrl,
    entryPoint: `${tessera.url}/saml/sso`,
    issuer: entityId,
    audience: entityId,
    idpIssuer: `${tessera.url}/saml/metadata`,
    idpCert: certificates,
    wantAssertionsSigned: true,
    // node-saml wants the whole Response signed by default; Tessera signs it for apps whose settings say so.
    wantAuthnResponseSigned: false,
    validateInResponseTo: 'always',
    ...options.config,
  } as SamlConfig);
  const metadata = sp.generateServiceProviderMetadata(options.decryptionCert ?? null, options.signingCert ?? null);
  await tessera.saml.providers.add({ metadata, name: options.name, settings: options.settings as never });
  return { sp, metadata, certificates };
}

export type Agent = ReturnType<typeof createAgent>;

/** An RSA key and self-signed certificate for an SP that signs its requests. */
export function spSigningKey(subject: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificate: selfSignedCertificate(privateKey, publicKey, subject, new Date(), 30),
  };
}

/** Follows the browser's way from an SP's redirect to Tessera until a Tessera page answers. */
export async function openAt(agent: Agent, tessera: RunningTessera, url: string) {
  const step = await agent.follow(url, tessera.url);
  return { url: step.url, status: step.response.status, page: await step.response.text() };
}

/** Posts a form of `page` (the sign-in or code page) and follows where it leads. */
export async function submit(
  agent: Agent,
  tessera: RunningTessera,
  at: { url: string; page: string },
  path: string,
  fields: Record<string, string>,
) {
  const response = await agent.postForm(`${at.url}/${path}`, { csrf: hiddenField(at.page, 'csrf'), ...fields });
  const location = response.headers.get('location');
  if (!location) return { url: at.url, status: response.status, page: await response.text() };
  return openAt(agent, tessera, new URL(location, tessera.url).toString());
}

/** The SAML POST form Tessera answered with: where it posts and what. */
export function postedResponse(page: string) {
  const action = page.match(/<form id="saml-post" method="post" action="([^"]+)"/)?.[1];
  if (!action) throw new Error(`no SAML POST form on the page:\n${page.slice(0, 800)}`);
  const fromHtml = (v: string) => v.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
  const relay = page.match(/name="RelayState" value="([^"]*)"/)?.[1];
  return {
    action: fromHtml(action),
    SAMLResponse: hiddenField(page, 'SAMLResponse'),
    RelayState: relay === undefined ? undefined : fromHtml(relay),
  };
}

/**
 * xmlsec1 verifies the signature of the Response or of its Assertion with `certificatePem` (the element it covers
 * found by its ID attribute, as SAML says); throws with xmlsec1's words when it does not verify.
 */
export function xmlsecVerify(
  xml: string,
  certificatePem: string,
  target: 'Assertion' | 'Response' | 'EntityDescriptor' = 'Assertion',
): void {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-xmlsec-'));
  try {
    writeFileSync(join(dir, 'message.xml'), xml);
    writeFileSync(join(dir, 'cert.pem'), certificatePem);
    execFileSync(
      'xmlsec1',
      [
        '--verify',
        '--pubkey-cert-pem',
        join(dir, 'cert.pem'),
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:protocol:Response',
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor',
        '--id-attr:AssertionID',
        'urn:oasis:names:tc:SAML:1.0:assertion:Assertion',
        '--node-xpath',
        `//*[local-name()='${target}']/*[local-name()='Signature']`,
        join(dir, 'message.xml'),
      ],
      { stdio: 'pipe' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
