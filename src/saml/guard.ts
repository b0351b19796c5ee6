// What every incoming SAML message passes before any XML parser sees it (checklist T37): a size cap on what
// arrives and on what it inflates to (the Redirect binding deflates; a small bomb must not become megabytes), no
// DOCTYPE or entity declaration at all (SAML never needs one: XXE and billion laughs end here), and no comment.
import { inflateRawSync } from 'node:zlib';
import { SamlError } from './errors.ts';

export interface MessageLimits {
  /** The largest message accepted, as XML (after base64, after inflating). */
  maxXmlBytes: number;
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(encoded: string, limits: MessageLimits): Buffer {
  const compact = encoded.replace(/[\r\n ]/g, '');
  // Base64 grows 4/3: anything longer cannot decode to an accepted size.
  if (compact.length > Math.ceil((limits.maxXmlBytes * 4) / 3) + 4) throw new SamlError('saml.too_large');
  if (!base64.test(compact) || compact.length % 4 !== 0) throw new SamlError('saml.malformed');
  return Buffer.from(compact, 'base64');
}

/**
 * Refuses what SAML never carries, on the text itself, so no parser option can let it through: any markup
 * declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`…). Comments and CDATA sections are the only `<!` allowed.
 */
export function refuseDeclarations(xml: string): string {
  if (/<!(?!--|\[CDATA\[)/.test(xml)) throw new SamlError('saml.doctype');
  return xml;
}

/**
 * A message with a comment is refused too: no SP puts one in a request, and a comment splits the text of a NameID
 * or DigestValue into pieces that parsers join differently (comment-injection, samlify GHSA-8jjf-w7j6-323c).
 */
function refuseComments(xml: string): string {
  if (xml.includes('<!--')) throw new SamlError('saml.malformed', { message: 'a comment in a SAML message' });
  return xml;
}

function utf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SamlError('saml.malformed');
  }
}

/**
 * The XML of an HTTP-POST binding message (base64). SAML bindings §3.5.4 says it is not deflated, but some SPs
 * (node-saml's POST form) deflate it anyway: bytes that do not begin as XML are inflated, under the same cap.
 */
export function postMessage(encoded: unknown, limits: MessageLimits): string {
  if (typeof encoded !== 'string' || encoded === '') throw new SamlError('saml.malformed');
  const bytes = decodeBase64(encoded, limits);
  const text = bytes.toString('latin1').trimStart();
  return refuseComments(refuseDeclarations(utf8(text.startsWith('<') ? bytes : inflateCapped(bytes, limits))));
}

function inflateCapped(deflated: Buffer, limits: MessageLimits): Buffer {
  try {
    // maxOutputLength stops inflating at the cap instead of filling memory first (ruby-saml CVE-2025-25293).
    return inflateRawSync(deflated, { maxOutputLength: limits.maxXmlBytes });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new SamlError('saml.too_large');
    throw new SamlError('saml.malformed');
  }
}

/** The XML of an HTTP-Redirect binding message (base64 of raw DEFLATE), inflated to at most the cap. */
export function redirectMessage(encoded: unknown, limits: MessageLimits): string {
  if (typeof encoded !== 'string' || encoded === '') throw new SamlError('saml.malformed');
  return refuseComments(refuseDeclarations(utf8(inflateCapped(decodeBase64(encoded, limits), limits))));
}
