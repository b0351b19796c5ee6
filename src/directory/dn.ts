// Distinguished names read as the directory reads them (RFC 4514), so that "is this entry at or below that OU" is a
// question about RDNs, never about text: `cn=x\,ou=Romania,ou=people,…` is a person named "x,ou=Romania" in
// ou=people, and a suffix test on the string would put them in Romania.

/** One attribute of an RDN, normalised: the type lower-cased, the value unescaped, NFC, lower-cased, spaces folded. */
type Ava = string;
/** An RDN: its attributes, sorted (`cn=a+uid=b` and `uid=b+cn=a` are one RDN). */
export type Rdn = readonly Ava[];

const hexPair = /^[0-9a-fA-F]{2}$/;
// RFC 4512 descr or numericoid; `OID.` is the legacy prefix some servers still print.
const attributeType = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)$/;
const maxDnLength = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: true });

// RFC 4518 (simplified to what case-ignoring string matching needs): case and runs of spaces do not matter.
const normaliseValue = (value: string) => value.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * The RDNs of `dn`, the entry's own first; null when `dn` is not a well-formed DN (an unescaped special character,
 * a bad escape, an empty type). The empty string is the root: no RDN.
 */
export function parseDn(dn: string): Rdn[] | null {
  if (dn.length > maxDnLength || !dn.isWellFormed()) return null;
  if (dn.trim() === '') return [];
  const rdns: Rdn[] = [];
  let avas: Ava[] = [];
  let i = 0;
  while (i <= dn.length) {
    // attributeType '='
    const eq = dn.indexOf('=', i);
    if (eq < 0) return null;
    let type = dn.slice(i, eq).trim();
    if (/^oid\./i.test(type)) type = type.slice(4);
    if (!attributeType.test(type)) return null;
    i = eq + 1;
    // attributeValue: a #hex BER string, or a string with RFC 4514 §2.4 escapes (hex pairs are UTF-8 bytes).
    let value: string;
    while (i < dn.length && dn[i] === ' ') i++;
    if (dn[i] === '#') {
      const end = dn.slice(i).search(/[,+;]/);
      const hex = (end < 0 ? dn.slice(i + 1) : dn.slice(i + 1, i + end)).trim();
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null;
      value = `#${hex.toLowerCase()}`;
      i = end < 0 ? dn.length : i + end;
    } else {
      const bytes: number[] = [];
      // Trailing spaces are insignificant unless escaped: remember where the last significant byte ended.
      let significant = 0;
      for (; i < dn.length; i++) {
        const c = dn[i];
        if (c === ',' || c === '+' || c === ';') break;
        if (c === '\\') {
          const pair = dn.slice(i + 1, i + 3);
          if (hexPair.test(pair)) {
            bytes.push(Number.parseInt(pair, 16));
            i += 2;
          } else if (i + 1 < dn.length && ' "#+,;<=>\\'.includes(dn[i + 1])) {
            bytes.push(dn.charCodeAt(i + 1));
            i += 1;
          } else {
            return null;
          }
          significant = bytes.length;
          continue;
        }
        if (c === '"' || c === '<' || c === '>' || c === '\0') return null;
        const code = dn.codePointAt(i) ?? 0;
        if (code > 0xffff) i++;
        bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
        if (c !== ' ') significant = bytes.length;
      }
      try {
        value = utf8.decode(Uint8Array.from(bytes.slice(0, significant)));
      } catch {
        return null;
      }
    }
    avas.push(`${type.toLowerCase()}=${normaliseValue(value)}`);
    if (i >= dn.length || dn[i] !== '+') {
      rdns.push([...avas].sort());
      avas = [];
    }
    if (i >= dn.length) break;
    i++;
  }
  return rdns;
}

/** The DN in one canonical text form: equal for DNs the directory takes for the same entry. */
export function normaliseDn(dn: string): string | null {
  const rdns = parseDn(dn);
  // Commas and pluses inside values come back escaped, so the text reads back as the same RDNs.
  const escaped = (ava: string) => ava.replace(/[\\,+;]/g, (c) => `\\${c}`);
  return rdns === null ? null : rdns.map((rdn) => rdn.map(escaped).join('+')).join(',');
}

/**
 * Whether the entry `dn` is `base` itself or below it: `base`'s RDNs are the last RDNs of `dn`, compared RDN by RDN.
 * False when either is not a DN; the root (an empty base) holds nothing here, so that a mistaken empty scope covers
 * nobody rather than everybody.
 */
export function isAtOrBelow(dn: string, base: string): boolean {
  const entry = parseDn(dn);
  const under = parseDn(base);
  if (entry === null || under === null || under.length === 0 || entry.length < under.length) return false;
  const offset = entry.length - under.length;
  return under.every((rdn, k) => {
    const other = entry[offset + k];
    return other.length === rdn.length && other.every((ava, j) => ava === rdn[j]);
  });
}
