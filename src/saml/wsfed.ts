// WS-Federation passive requestor profile (WS-Federation 1.2 §13), the protocol on-premises Outlook Web App and
// SharePoint speak to ADFS: `wa=wsignin1.0` is answered with a form posting `wresult`, a WS-Trust
// RequestSecurityTokenResponse that carries a signed SAML 1.1 assertion (the default, as ADFS sends) or the same
// SAML 2.0 assertion a SAML app gets (`--wsfed-token saml2.0`).
const ns = {
  trust: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  utility: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  policy: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  addressing: 'http://www.w3.org/2005/08/addressing',
} as const;

const instant = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');
const escapeXml = (v: string) =>
  v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export function requestSecurityTokenResponse(
  assertion: string,
  tokenType: string,
  realm: string,
  now: Date,
  validSeconds: number,
) {
  const expires = new Date(now.getTime() + validSeconds * 1000);
  return (
    `<t:RequestSecurityTokenResponse xmlns:t="${ns.trust}">` +
    `<t:Lifetime><wsu:Created xmlns:wsu="${ns.utility}">${instant(now)}</wsu:Created>` +
    `<wsu:Expires xmlns:wsu="${ns.utility}">${instant(expires)}</wsu:Expires></t:Lifetime>` +
    `<wsp:AppliesTo xmlns:wsp="${ns.policy}"><wsa:EndpointReference xmlns:wsa="${ns.addressing}">` +
    `<wsa:Address>${escapeXml(realm)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
    `<t:RequestedSecurityToken>${assertion}</t:RequestedSecurityToken>` +
    `<t:TokenType>${tokenType}</t:TokenType>` +
    `<t:RequestType>${ns.trust}/Issue</t:RequestType>` +
    `<t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType>` +
    `</t:RequestSecurityTokenResponse>`
  );
}
