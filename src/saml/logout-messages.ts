// The logout messages Tessera sends (SAML core §3.7): a LogoutRequest to each other app of the session, and the
// LogoutResponse to the app that asked. Sent in the Redirect binding, signed over the query string (bindings
// §3.4.4.1), or in the POST binding with an enveloped signature, as the app's metadata offers.
import { createSign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { SigningKey } from './keys.ts';
import { algorithms, newId, signElement, statusCodes } from './response.ts';
import { bindings } from './service-providers.ts';

const protocol = 'urn:oasis:names:tc:SAML:2.0:protocol';
const assertion = 'urn:oasis:names:tc:SAML:2.0:assertion';
const escapeXml = (v: string) =>
  v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const instant = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

export type Outgoing = { redirect: string } | { post: { action: string; fields: Record<string, string | undefined> } };

export interface LogoutRequestInput {
  issuer: string;
  destination: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  now: Date;
  /** How long the app may take to act on it. */
  validSeconds: number;
}

export function logoutRequestXml(r: LogoutRequestInput, id = newId()): { id: string; xml: string } {
  const notOnOrAfter = instant(new Date(r.now.getTime() + r.validSeconds * 1000));
  const xml =
    `<samlp:LogoutRequest xmlns:samlp="${protocol}" xmlns:saml="${assertion}" ID="${id}" Version="2.0" ` +
    `IssueInstant="${instant(r.now)}" Destination="${escapeXml(r.destination)}" NotOnOrAfter="${notOnOrAfter}">` +
    `<saml:Issuer>${escapeXml(r.issuer)}</saml:Issuer>` +
    `<saml:NameID Format="${escapeXml(r.nameIdFormat)}">${escapeXml(r.nameId)}</saml:NameID>` +
    `<samlp:SessionIndex>${escapeXml(r.sessionIndex)}</samlp:SessionIndex></samlp:LogoutRequest>`;
  return { id, xml };
}

export function logoutResponseXml(r: {
  issuer: string;
  destination: string;
  inResponseTo: string;
  now: Date;
  status: string;
  second?: string;
}): { id: string; xml: string } {
  const id = newId();
  const inner = r.second === undefined ? '' : `<samlp:StatusCode Value="${escapeXml(r.second)}"/>`;
  const xml =
    `<samlp:LogoutResponse xmlns:samlp="${protocol}" xmlns:saml="${assertion}" ID="${id}" Version="2.0" ` +
    `IssueInstant="${instant(r.now)}" Destination="${escapeXml(r.destination)}" ` +
    `InResponseTo="${escapeXml(r.inResponseTo)}"><saml:Issuer>${escapeXml(r.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${escapeXml(r.status)}">${inner}</samlp:StatusCode></samlp:Status>` +
    `</samlp:LogoutResponse>`;
  return { id, xml };
}

export const logoutSuccess = statusCodes.success;

/** The message in the binding the endpoint takes, signed either way. */
export function send(
  kind: 'SAMLRequest' | 'SAMLResponse',
  message: { id: string; xml: string },
  endpoint: { binding: string; location: string },
  relayState: string | undefined,
  key: SigningKey,
): Outgoing {
  if (endpoint.binding === bindings.post) {
    const signed = signElement(message.xml, message.id, key);
    return {
      post: {
        action: endpoint.location,
        fields: { [kind]: Buffer.from(signed).toString('base64'), RelayState: relayState },
      },
    };
  }
  const parts = [`${kind}=${encodeURIComponent(deflateRawSync(Buffer.from(message.xml)).toString('base64'))}`];
  if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  parts.push(`SigAlg=${encodeURIComponent(algorithms.rsaSha256)}`);
  const octets = parts.join('&');
  const signature = createSign('RSA-SHA256').update(octets).sign(key.privateKey).toString('base64');
  const separator = endpoint.location.includes('?') ? '&' : '?';
  return { redirect: `${endpoint.location}${separator}${octets}&Signature=${encodeURIComponent(signature)}` };
}
