// Hostile and broken SAML input (checklist T35–T37): each gets an error page or a refusal, and nothing signed
// goes to anyone. The requests are made by a real SP (node-saml), then changed the way an attacker would.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SAML } from '@node-saml/node-saml';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, type RunningTessera } from '../support/tessera.ts';
import {
  acsUrl,
  openAt,
  postedResponse,
  registerNodeSamlSp,
  spSigningKey,
  submit,
  xmlsecVerify,
} from '../support/saml.ts';

const password = 'employee passphrase';
const refused = async (response: Response, message: RegExp, status = 400) => {
  const page = await response.text();
  assert.equal(response.status, status, page.slice(0, 400));
  assert.match(page, message);
  assert.doesNotMatch(page, /SAMLResponse/);
  assert.equal(response.headers.get('location'), null);
};
const post = (tessera: RunningTessera, fields: Record<string, string>) =>
  fetch(`${tessera.url}/saml/sso`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
const get = (url: string) => fetch(url, { redirect: 'manual' });
const inflate = (encoded: string) => inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
const deflate = (xml: string) => deflateRawSync(Buffer.from(xml)).toString('base64');
/** The Redirect-binding URL with its SAMLRequest replaced by `xml` (deflated), other parameters kept. */
function withRequest(url: string, xml: string): string {
  const u = new URL(url);
  u.searchParams.set('SAMLRequest', deflate(xml));
  return u.toString();
}

// Both schema checks (saml.schemaCheck): the in-process structure check on each database, the XSD on one.
const runs = [
  ...(await testDialects()).map((dialect) => ({ dialect, schemaCheck: 'structure' as const })),
  { dialect: 'sqlite' as const, schemaCheck: 'xsd' as const },
];

for (const { dialect, schemaCheck } of runs) {
  describe(`SAML bad input on ${dialect} (${schemaCheck})`, () => {
    let tessera: RunningTessera;
    let open: SAML;
    let signing: SAML;
    const key = spSigningKey('signing-sp');
    before(async () => {
      tessera = await startTessera(dialect, { saml: { schemaCheck } });
      ({ sp: open } = await registerNodeSamlSp(tessera, 'https://open.example.com/sp', {
        settings: { attributeNames: 'plain' },
      }));
      ({ sp: signing } = await registerNodeSamlSp(tessera, 'https://signing.example.com/sp', {
        config: { privateKey: key.privateKey, signatureAlgorithm: 'sha256' },
        signingCert: key.certificate,
      }));
    });
    after(async () => {
      await tessera?.stop();
    });

    it('refuses a DOCTYPE or ENTITY before parsing (XXE, billion laughs), in both bindings', async () => {
      const xml = inflate(new URL(await open.getAuthorizeUrlAsync('', undefined, {})).searchParams.get('SAMLRequest')!);
      const body = xml.replace(/^<\?xml[^>]*\?>/, '');
      const xxe = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${body.replace('</saml:Issuer>', '&x;</saml:Issuer>')}`;
      const laughs = `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${body}`;
      for (const hostile of [xxe, laughs]) {
        await refused(await post(tessera, { SAMLRequest: Buffer.from(hostile).toString('base64') }), /declares a DTD/);
        const url = withRequest(await open.getAuthorizeUrlAsync('', undefined, {}), hostile);
        await refused(await get(url), /declares a DTD/);
      }
    });

    it('refuses an oversized message and a deflate bomb without inflating it whole', async () => {
      const url = await open.getAuthorizeUrlAsync('', undefined, {});
      const xml = inflate(new URL(url).searchParams.get('SAMLRequest')!);
      // 8 MB of whitespace deflates to about 8 KB: within what a URL carries, far past what is read.
      const bomb = xml.replace('<samlp:NameIDPolicy', `${' '.repeat(8_000_000)}<samlp:NameIDPolicy`);
      await refused(await get(withRequest(url, bomb)), /too large/, 413);
      const big = Buffer.from(xml.replace('<samlp:NameIDPolicy', `${' '.repeat(200_000)}<samlp:NameIDPolicy`));
      const response = await post(tessera, { SAMLRequest: big.toString('base64') });
      assert.equal(response.status, 413);
      assert.doesNotMatch(await response.text(), /SAMLResponse/);
    });

    it('refuses a replayed AuthnRequest ID', async () => {
      const url = await open.getAuthorizeUrlAsync('', undefined, {});
      assert.equal((await get(url)).status, 303);
      await refused(await get(url), /used already/);
    });

    it('refuses an assertion consumer URL that is not in the metadata, and sends nothing there', async () => {
      const url = await open.getAuthorizeUrlAsync('', undefined, {});
      const xml = inflate(new URL(url).searchParams.get('SAMLRequest')!).replace(acsUrl, 'https://evil.example/acs');
      await refused(await get(withRequest(url, xml)), /has not registered/);
      const unknownApp = xml.replace('https://open.example.com/sp', 'https://nobody.example/sp');
      await refused(await get(withRequest(url, unknownApp)), /not registered with Tessera/);
    });

    it('takes the signed requests of an app that must sign, and refuses them unsigned, altered or re-signed', async () => {
      const url = await signing.getAuthorizeUrlAsync('relay', undefined, {});
      assert.match(url, /Signature=/);
      assert.equal((await get(url)).status, 303, 'a signed request from the app is taken');

      const unsigned = new URL(await signing.getAuthorizeUrlAsync('relay', undefined, {}));
      unsigned.searchParams.delete('Signature');
      unsigned.searchParams.delete('SigAlg');
      await refused(await get(unsigned.toString()), /must sign/);

      // The relay state (covered by the signature) changed after signing.
      const altered = new URL(await signing.getAuthorizeUrlAsync('relay', undefined, {}));
      altered.searchParams.set('RelayState', 'https://evil.example/');
      await refused(await get(altered.toString()), /signature of this sign-in request is not valid/);

      // The request changed after signing (ForceAuthn added), its signature kept.
      const moved = await signing.getAuthorizeUrlAsync('relay', undefined, {});
      const xml = inflate(new URL(moved).searchParams.get('SAMLRequest')!);
      await refused(
        await get(withRequest(moved, xml.replace('Version="2.0"', 'Version="2.0" ForceAuthn="true"'))),
        /not valid/,
      );

      // Signed by someone else's key.
      const { sp: impostor } = await registerNodeSamlSp(tessera, `https://impostor-${dialect}.example/sp`, {
        config: { privateKey: spSigningKey('other').privateKey, signatureAlgorithm: 'sha256' },
        signingCert: spSigningKey('unused').certificate,
      });
      const forged = new URL(await impostor.getAuthorizeUrlAsync('', undefined, {}));
      const forgedXml = inflate(forged.searchParams.get('SAMLRequest')!);
      const original = new URL(await signing.getAuthorizeUrlAsync('', undefined, {}));
      const asSigning = forgedXml.replace(`https://impostor-${dialect}.example/sp`, 'https://signing.example.com/sp');
      original.searchParams.set('SAMLRequest', deflate(asSigning));
      original.searchParams.set('Signature', forged.searchParams.get('Signature')!);
      await refused(await get(original.toString()), /not valid/);
    });

    it('refuses wrapped and commented POST requests of an app that must sign', async () => {
      const form = await new (await import('@node-saml/node-saml')).SAML({
        ...(signing as unknown as { options: Record<string, unknown> }).options,
        authnRequestBinding: 'HTTP-POST',
      } as never).getAuthorizeFormAsync('');
      const encoded = form.match(/name="SAMLRequest" value="([^"]+)"/)![1]!;
      const bytes = Buffer.from(encoded, 'base64');
      const signed = bytes.toString('utf8').trimStart().startsWith('<')
        ? bytes.toString('utf8')
        : inflateRawSync(bytes).toString('utf8');
      assert.match(signed, /<(\w+:)?Signature/);
      const send = (xml: string) => post(tessera, { SAMLRequest: Buffer.from(xml).toString('base64') });
      assert.equal((await send(signed)).status, 303, 'the request as signed is taken');
      const fresh = async () => {
        const f = await new (await import('@node-saml/node-saml')).SAML({
          ...(signing as unknown as { options: Record<string, unknown> }).options,
          authnRequestBinding: 'HTTP-POST',
        } as never).getAuthorizeFormAsync('');
        const b = Buffer.from(f.match(/name="SAMLRequest" value="([^"]+)"/)![1]!, 'base64');
        return b.toString('utf8').trimStart().startsWith('<') ? b.toString('utf8') : inflateRawSync(b).toString('utf8');
      };
      // Wrapping: the signed request moved into Extensions of a new one with another ACS and ID.
      const inner = (await fresh()).replace(/^<\?xml[^>]*\?>/, '');
      const wrapper = inner
        .replace(/ID="[^"]+"/, 'ID="_attacker"')
        .replace(/<(\w+:)?Signature[\s\S]*<\/(\w+:)?Signature>/, '')
        .replace(/(<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>)/, `$1<samlp:Extensions>${inner}</samlp:Extensions>`);
      await refused(await send(wrapper), /not valid|could not be read/).catch((e) => {
        throw new Error(`wrapper: ${e.message}`);
      });
      // A comment in the DigestValue, and two SignedInfo elements.
      const commented = (await fresh()).replace(/(<(\w+:)?DigestValue>)(.)/, '$1$3<!-- x -->');
      await refused(await send(commented), /not valid|could not be read/).catch((e) => {
        throw new Error(`commented: ${e.message}`);
      });
      const twice = (await fresh()).replace(/(<(\w+:)?SignedInfo>[\s\S]*?<\/(\w+:)?SignedInfo>)/, '$1$1');
      await refused(await send(twice), /not valid|could not be read/).catch((e) => {
        throw new Error(`twice: ${e.message}`);
      });
      // Unsigned altogether.
      const bare = (await fresh()).replace(/<(\w+:)?Signature[\s\S]*<\/(\w+:)?Signature>/, '');
      await refused(await send(bare), /must sign/);
    });

    it('keeps an attribute value that carries XML as text, and the assertion still verifies', async () => {
      const email = `xml-${dialect}@example.com`;
      const name = '</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin';
      const account = await tessera.accounts.createByOperator({ email, password });
      await tessera.store.db.updateTable('accounts').set({ name }).where('id', '=', account.id).execute();
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await open.getAuthorizeUrlAsync('', undefined, {}));
      const done = await submit(agent, tessera, signIn, 'login', { email, password });
      const posted = postedResponse(done.page);
      const { profile } = await open.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
      assert.equal(profile?.displayName, name);
      assert.equal(profile?.role, undefined);
      const xml = Buffer.from(posted.SAMLResponse, 'base64').toString('utf8');
      const metadata = await (await fetch(`${tessera.url}/saml/metadata`)).text();
      const body = metadata.match(/<ds:X509Certificate>([^<]+)</)![1]!;
      xmlsecVerify(
        xml,
        `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`,
      );
    });
    it('answers a request ID once even when it arrives many times at once, and a resume once', async () => {
      const url = await open.getAuthorizeUrlAsync('', undefined, {});
      const statuses = await Promise.all(Array.from({ length: 12 }, () => get(url).then((r) => r.status)));
      assert.deepEqual(
        statuses.filter((s) => s === 303),
        [303],
        `one taken, the rest refused: ${statuses.join(',')}`,
      );
      assert.equal(statuses.filter((s) => s === 400).length, 11);

      // The way back from the sign-in, raced: one answer, the others the expired page.
      const email = `race-${dialect}-${schemaCheck}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await open.getAuthorizeUrlAsync('', undefined, {}));
      const response = await agent.postForm(`${signIn.url}/login`, {
        csrf: signIn.page.match(/name="csrf" value="([^"]+)"/)![1]!,
        email,
        password,
      });
      // Followed by hand up to the resume address, which is then opened many times at once.
      let resume = new URL(response.headers.get('location')!, tessera.url).toString();
      while (!resume.includes('/saml/resume?')) {
        const hop = await agent.request(resume);
        assert.equal(hop.status, 303);
        resume = new URL(hop.headers.get('location')!, tessera.url).toString();
      }
      const answers = await Promise.all(Array.from({ length: 8 }, () => agent.request(resume).then((r) => r.text())));
      assert.equal(answers.filter((page) => page.includes('name="SAMLResponse"')).length, 1);
    });

    it('refuses a disabled account that still holds a session, and asserts nothing', async () => {
      const email = `disabled-${dialect}-${schemaCheck}@example.com`;
      const account = await tessera.accounts.createByOperator({ email, password });
      const agent = createAgent();
      const signIn = await openAt(agent, tessera, await open.getAuthorizeUrlAsync('', undefined, {}));
      await submit(agent, tessera, signIn, 'login', { email, password });
      await tessera.store.db.updateTable('accounts').set({ status: 'disabled' }).where('id', '=', account.id).execute();
      const again = await openAt(agent, tessera, await open.getAuthorizeUrlAsync('', undefined, {}));
      assert.doesNotMatch(again.page, /name="SAMLResponse"/);
    });
  });
}
