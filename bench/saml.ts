// SAML Web SSO round trips against OIDC round trips, both for a person who already has an SSO session (no password
// hashing on either side), same server, same run:
//   SAML: AuthnRequest (Redirect binding) → /oidc/auth of the app's own client → /saml/resume → signed Response
//   OIDC: /oidc/auth → code → /oidc/token (PKCE, client secret) → ID and access tokens
import { createHash, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { createAgent, hiddenField, startTessera } from '../test/support/tessera.ts';
import { benchLimits, compare, measure, report, type Outcome } from './load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const acs = 'http://127.0.0.1:9/saml/acs';
const entityId = 'https://bench.example.com/sp';
const callback = 'http://127.0.0.1:9/cb';

const spMetadata = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <SPSSODescriptor WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acs}"/>
  </SPSSODescriptor>
</EntityDescriptor>`;

/** An AuthnRequest with a fresh ID, as an SP's Redirect binding sends it (unsigned: the app's metadata allows it). */
function authnRequestUrl(issuer: string): string {
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_${randomBytes(16).toString('hex')}" ` +
    `Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${issuer}/saml/sso" ` +
    `AssertionConsumerServiceURL="${acs}"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` +
    `${entityId}</saml:Issuer></samlp:AuthnRequest>`;
  const encoded = encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'));
  return `${issuer}/saml/sso?SAMLRequest=${encoded}`;
}

type Agent = ReturnType<typeof createAgent>;

async function follow(agent: Agent, url: string, origin: string): Promise<Response> {
  const { response } = await agent.follow(url, origin);
  return response;
}

export async function benchSamlSso(): Promise<Outcome> {
  const tessera = await startTessera('sqlite', benchLimits);
  await tessera.saml.providers.add({ metadata: spMetadata, name: 'Bench SP' });
  const registered = await tessera.clients.add({
    client_id: 'bench',
    client_name: 'Bench',
    redirect_uris: [callback],
    first_party: true,
  });
  const email = 'bench@example.com';
  const password = 'bench mark pass phrase';
  await tessera.accounts.createByOperator({ email, password });
  const concurrency = 8;

  // One signed-in browser per worker: its SSO session is made once, by a SAML sign-in with the password.
  const agents: Agent[] = [];
  for (let i = 0; i < concurrency; i++) {
    const agent = createAgent();
    const step = await agent.follow(authnRequestUrl(tessera.url), tessera.url);
    const page = await step.response.text();
    const signedIn = await agent.postForm(`${step.url}/login`, { csrf: hiddenField(page, 'csrf'), email, password });
    const answer = await follow(agent, new URL(signedIn.headers.get('location')!, tessera.url).toString(), tessera.url);
    if (!(await answer.text()).includes('SAMLResponse')) throw new Error('the bench sign-in did not finish');
    agents.push(agent);
  }

  const saml = async (i: number) => {
    const response = await follow(agents[i % concurrency]!, authnRequestUrl(tessera.url), tessera.url);
    const page = await response.text();
    if (response.status !== 200 || !page.includes('name="SAMLResponse"')) {
      throw new Error(`SAML SSO answered ${response.status}: ${page.slice(0, 200)}`);
    }
  };

  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorization = `Basic ${Buffer.from(`bench:${registered.client_secret}`).toString('base64')}`;
  const authorize = `${tessera.url}/oidc/auth?${new URLSearchParams({
    client_id: 'bench',
    response_type: 'code',
    redirect_uri: callback,
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })}`;
  const oidc = async (i: number) => {
    const { response, url } = await agents[i % concurrency]!.follow(authorize, tessera.url);
    const code = new URL(url).searchParams.get('code');
    if (!code) throw new Error(`authorization answered ${response.status} at ${url}`);
    const token = await fetch(`${tessera.url}/oidc/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: callback,
        code_verifier: verifier,
      }),
    });
    if (token.status !== 200) throw new Error(`token endpoint answered ${token.status}: ${await token.text()}`);
    await token.arrayBuffer();
  };

  const settings = { concurrency, durationMs, warmupMs: 500 };
  const result = await compare(
    () => measure('SAML SSO', saml, settings),
    () => measure('OIDC code flow', oidc, settings),
    rounds,
  );
  await tessera.stop();
  return report('SAML SSO round trips (signed-in person)', 0.7, result);
}
