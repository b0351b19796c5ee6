// The check samlify runs on every incoming message before reading it, done in-process: the message's structure as
// the SAML 2.0 protocol schema gives it (SAML core §3.2.1, §3.2.2, §3.4.1, §3.7.1, §3.7.2), and stricter where the
// signature-wrapping attacks live: one root of an expected type, each child in the schema's order and no more
// often than it allows, no element of the SAML or XML-DSig namespaces that the schema does not put there, at most
// one Signature and only as a direct child of the root, with one SignedInfo and one Reference, to the root's ID.
// The XSD itself (xml-schema.ts, xmllint as WebAssembly) checks the same messages at about 80 ms each (a worker,
// the WebAssembly module and the schema compiled again per message): `saml.schemaCheck: "xsd"` selects it.
import { DOMParser } from '@xmldom/xmldom';

/** What is read of an element (@xmldom/xmldom's, typed here: its types lean on the browser's DOM library). */
interface Element {
  nodeType: number;
  localName: string | null;
  namespaceURI: string | null;
  parentNode: unknown;
  attributes: ArrayLike<{ name: string; namespaceURI: string | null }>;
  childNodes: ArrayLike<Element>;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<Element>;
}

const ns = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

type Child = readonly [namespace: string, name: string, max: number];
const requestHead: Child[] = [
  [ns.assertion, 'Issuer', 1],
  [ns.dsig, 'Signature', 1],
  [ns.protocol, 'Extensions', 1],
];

/** The children each root may have, in the schema's order, with how often each may come. */
const roots: Record<string, { children: Child[]; attributes: string[]; required: string[] }> = {
  AuthnRequest: {
    children: [
      ...requestHead,
      [ns.assertion, 'Subject', 1],
      [ns.protocol, 'NameIDPolicy', 1],
      [ns.assertion, 'Conditions', 1],
      [ns.protocol, 'RequestedAuthnContext', 1],
      [ns.protocol, 'Scoping', 1],
    ],
    attributes: [
      'ForceAuthn',
      'IsPassive',
      'ProtocolBinding',
      'AssertionConsumerServiceIndex',
      'AssertionConsumerServiceURL',
      'AttributeConsumingServiceIndex',
      'ProviderName',
    ],
    required: [],
  },
  LogoutRequest: {
    children: [
      ...requestHead,
      [ns.assertion, 'BaseID', 1],
      [ns.assertion, 'NameID', 1],
      [ns.assertion, 'EncryptedID', 1],
      [ns.protocol, 'SessionIndex', 16],
    ],
    attributes: ['Reason', 'NotOnOrAfter'],
    required: [],
  },
  LogoutResponse: {
    children: [...requestHead, [ns.protocol, 'Status', 1]],
    attributes: ['InResponseTo'],
    required: ['Status'],
  },
};
const common = ['ID', 'Version', 'IssueInstant', 'Destination', 'Consent'];
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const ncName = /^[A-Za-z_][\w.-]*$/;

class Invalid extends Error {}
const fail = (why: string): never => {
  throw new Invalid(why);
};

const elementChildren = (e: Element) => Array.from(e.childNodes).filter((n) => n.nodeType === 1);

function checkAttributes(root: Element, allowed: string[]) {
  for (const attribute of Array.from(root.attributes)) {
    if (attribute.name.startsWith('xmlns')) continue;
    if (!attribute.namespaceURI && !common.includes(attribute.name) && !allowed.includes(attribute.name)) {
      fail(`attribute ${attribute.name} is not in the schema of ${root.localName}`);
    }
  }
  if (!ncName.test(root.getAttribute('ID') ?? '')) fail('ID missing or not an NCName');
  if (root.getAttribute('Version') !== '2.0') fail('Version is not 2.0');
  if (!dateTime.test(root.getAttribute('IssueInstant') ?? '')) fail('IssueInstant missing or not a dateTime');
  for (const flag of ['ForceAuthn', 'IsPassive']) {
    const v = root.getAttribute(flag);
    if (root.hasAttribute(flag) && !['true', 'false', '1', '0'].includes(v ?? '')) fail(`${flag} is not a boolean`);
  }
}

function checkChildren(root: Element, children: Child[], required: string[]) {
  let at = 0;
  const seen = new Map<string, number>();
  for (const child of elementChildren(root)) {
    const index = children.findIndex(([n, name]) => n === child.namespaceURI && name === child.localName);
    if (index < 0) fail(`${child.localName} is not a child of ${root.localName}`);
    if (index < at) fail(`${child.localName} is out of the schema's order`);
    at = index;
    const count = (seen.get(child.localName!) ?? 0) + 1;
    if (count > children[index]![2]) fail(`${child.localName} comes more often than the schema allows`);
    seen.set(child.localName!, count);
  }
  for (const name of required) if (!seen.has(name)) fail(`${name} is missing`);
  const ids = ['BaseID', 'NameID', 'EncryptedID'].filter((n) => seen.has(n));
  if (root.localName === 'LogoutRequest' && ids.length !== 1) fail('a LogoutRequest names exactly one identifier');
}

/** One Signature, a direct child of the root, over the root itself (checklist T36). */
function checkSignatures(root: Element) {
  const signatures = Array.from(root.getElementsByTagNameNS(ns.dsig, 'Signature'));
  if (signatures.length === 0) return;
  if (signatures.length > 1) fail('more than one Signature');
  const signature = signatures[0]!;
  if (signature.parentNode !== root) fail('the Signature is not a direct child of the message');
  const signedInfo = Array.from(signature.getElementsByTagNameNS(ns.dsig, 'SignedInfo'));
  if (signedInfo.length !== 1) fail('a Signature has exactly one SignedInfo');
  const references = Array.from(signedInfo[0]!.getElementsByTagNameNS(ns.dsig, 'Reference'));
  if (references.length !== 1) fail('a Signature has exactly one Reference');
  if (references[0]!.getAttribute('URI') !== `#${root.getAttribute('ID')}`) {
    fail('the Signature covers another element than the message');
  }
}

function parse(xml: string) {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: (level: string, message: unknown) => {
      if (level !== 'warning') errors.push(String(message));
    },
  }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement as unknown as Element | null;
  if (errors.length > 0 || !root) return fail(`not well formed: ${errors[0] ?? 'no root'}`);
  return root;
}

/** The message's root element once its structure is checked: throws when it is not what the schema gives. */
export function checkStructure(xml: string): Element {
  const root = parse(xml);
  const shape = root.namespaceURI === ns.protocol ? roots[root.localName ?? ''] : undefined;
  if (!shape) fail(`${root.localName} is not a message Tessera reads`);
  checkAttributes(root, shape!.attributes);
  checkChildren(root, shape!.children, shape!.required);
  checkSignatures(root);
  // SAML namespaces in places the schema does not put them: an Assertion or a second message inside Extensions.
  for (const el of Array.from(root.getElementsByTagNameNS(ns.protocol, '*'))) {
    if (roots[el.localName ?? ''] !== undefined) fail(`a ${el.localName} inside the message`);
  }
  for (const el of Array.from(root.getElementsByTagNameNS(ns.assertion, 'Assertion'))) {
    fail(`an ${el.localName} inside the message`);
  }
  return root;
}

/** The checked message as Tessera reads it: its root's attributes, and the text of elements found by name. */
export interface CheckedMessage {
  name: string;
  attribute(name: string): string | undefined;
  /** The trimmed text of each element with this namespace and local name, in document order. */
  texts(namespace: 'protocol' | 'assertion', name: string): string[];
}

export function readMessage(xml: string): CheckedMessage {
  let root: Element;
  try {
    root = checkStructure(xml);
  } catch (err) {
    if (err instanceof Invalid) throw new StructureError(err.message);
    throw err;
  }
  return {
    name: root.localName ?? '',
    attribute: (name) => (root.hasAttribute(name) ? (root.getAttribute(name) ?? undefined) : undefined),
    texts: (namespace, name) =>
      Array.from(root.getElementsByTagNameNS(ns[namespace], name)).map((e) =>
        String((e as unknown as { textContent: string | null }).textContent ?? '').trim(),
      ),
  };
}

/** A message whose structure is not the schema's (readMessage). */
export class StructureError extends Error {}

export function createStructureValidator(): { validate(xml: string): Promise<string> } {
  return {
    async validate(xml: string) {
      try {
        checkStructure(xml);
      } catch (err) {
        if (err instanceof Invalid) throw new Error(`ERR_EXCEPTION_VALIDATE_XML: ${err.message}`);
        throw err;
      }
      return 'valid';
    },
  };
}
