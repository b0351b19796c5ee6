// The in-process structure check on real messages (node-saml's) and on the shapes signature wrapping takes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { SAML } from '@node-saml/node-saml';
import { checkStructure } from './structure.ts';

const sp = new SAML({
  callbackUrl: 'http://127.0.0.1:9/acs',
  entryPoint: 'http://127.0.0.1:9/sso',
  issuer: 'https://sp.example/',
  idpCert: 'MIIB',
  audience: 'https://sp.example/',
});
const authnRequest = async () =>
  inflateRawSync(
    Buffer.from(new URL(await sp.getAuthorizeUrlAsync('', undefined, {})).searchParams.get('SAMLRequest')!, 'base64'),
  ).toString();
const signature = (uri: string) =>
  `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="${uri}"/>` +
  '</ds:SignedInfo><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>';
const afterIssuer = (xml: string, insert: string) => xml.replace('</saml:Issuer>', `</saml:Issuer>${insert}`);
const idOf = (xml: string) => xml.match(/ ID="([^"]+)"/)![1];

describe('the SAML structure check', () => {
  it('takes a real AuthnRequest, signed over its own ID or unsigned', async () => {
    const xml = await authnRequest();
    checkStructure(xml);
    checkStructure(afterIssuer(xml, signature(`#${idOf(xml)}`)));
  });

  it('refuses the shapes of signature wrapping and what the schema does not allow', async () => {
    const xml = await authnRequest();
    const id = idOf(xml);
    const refused: Record<string, string> = {
      'a signature over another ID': afterIssuer(xml, signature('#_other')),
      'two signatures': afterIssuer(xml, signature(`#${id}`) + signature(`#${id}`)),
      'a signature in Extensions': afterIssuer(xml, `<samlp:Extensions>${signature(`#${id}`)}</samlp:Extensions>`),
      'a message inside Extensions': afterIssuer(
        xml,
        `<samlp:Extensions>${xml.replace(/^<\?xml[^>]*\?>/, '').replace(id, '_inner')}</samlp:Extensions>`,
      ),
      'an Assertion inside': afterIssuer(
        xml,
        '<samlp:Extensions><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Extensions>',
      ),
      'two Issuers': afterIssuer(
        xml,
        '<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">x</saml:Issuer>',
      ),
      'an unknown child': afterIssuer(xml, '<samlp:Evil xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'),
      'children out of order': xml.replace(
        /(<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>)(.*)(<\/samlp:AuthnRequest>)/s,
        '$2$1$3',
      ),
      'another version': xml.replace('Version="2.0"', 'Version="1.1"'),
      'an ID that is no NCName': xml.replace(id, '1bad id'),
      'an unknown attribute': xml.replace('Version="2.0"', 'Version="2.0" Admin="true"'),
      'not well formed': xml.replace('</samlp:AuthnRequest>', ''),
      'another root':
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"/>',
      'a LogoutRequest with two NameIDs':
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:NameID>a</saml:NameID><saml:NameID>b</saml:NameID></samlp:LogoutRequest>',
      'a LogoutResponse without Status':
        '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"/>',
    };
    for (const [what, message] of Object.entries(refused)) {
      assert.throws(() => checkStructure(message), Error, what);
    }
  });
});
