import { TesseraError } from '../errors/index.ts';

// Stable codes, mapped once at the edge (saml/error-map.ts) to an error page or a SAML status; the same ids are
// the page messages in the catalogue.
export type SamlErrorCode =
  /** Not a SAML message Tessera can read: bad encoding, not well formed, not valid against the schema. */
  | 'saml.malformed'
  /** Larger than Tessera reads, before or after inflating (a deflate bomb). */
  | 'saml.too_large'
  /** A DOCTYPE or entity declaration: refused before any parser sees it (XXE, entity expansion). */
  | 'saml.doctype'
  /** The Issuer is no app added with `tessera saml sp add`. */
  | 'saml.unknown_app'
  /** The AssertionConsumerServiceURL (or index) is not one of the app's metadata: nothing is sent there. */
  | 'saml.acs_not_registered'
  /** The app's metadata says it signs its requests (AuthnRequestsSigned), and this one is not signed. */
  | 'saml.signature_required'
  /** A signature that does not verify with the app's certificate, or that covers something else. */
  | 'saml.signature_invalid'
  /** This app sent this request ID before. */
  | 'saml.replayed'
  /** The request waited too long for its sign-in, or was answered already. */
  | 'saml.request_expired'
  /** The operator's side: metadata that cannot be read, an app added twice, or none by that entity ID. */
  | 'saml.metadata_invalid'
  | 'saml.settings_invalid'
  | 'saml.app_exists'
  | 'saml.app_not_found';

export class SamlError extends TesseraError<SamlErrorCode> {}
