// Reading values out of an ldapts search entry. Servers may answer with another letter case for an
// attribute name than we asked for, so lookups ignore case.
import type { Entry } from 'ldapts';

function raw(entry: Entry, attribute: string): Buffer | Buffer[] | string[] | string | undefined {
  const wanted = attribute.toLowerCase();
  for (const key of Object.keys(entry)) if (key.toLowerCase() === wanted) return entry[key];
  return undefined;
}

export function values(entry: Entry, attribute: string): string[] {
  const v = raw(entry, attribute);
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
}

export function first(entry: Entry, attribute: string): string | null {
  const v = values(entry, attribute);
  return v.length > 0 && v[0] !== '' ? v[0] : null;
}

export function firstBuffer(entry: Entry, attribute: string): Buffer | null {
  const v = raw(entry, attribute);
  if (v === undefined) return null;
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined) return null;
  return Buffer.isBuffer(one) ? one : Buffer.from(one, 'utf8');
}

/** The value of a DN's first RDN, with RFC 4514 escapes undone: `cn=VPN Users,ou=corp` → `VPN Users`. */
export function firstRdnValue(dn: string): string {
  const eq = dn.indexOf('=');
  const bytes: number[] = [];
  for (let i = eq + 1; i < dn.length; i++) {
    const c = dn[i];
    if (c === ',' || c === '+') break;
    if (c === '\\' && /^[0-9a-fA-F]{2}$/.test(dn.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(dn.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '\\' && i + 1 < dn.length) {
      bytes.push(...Buffer.from(dn[i + 1], 'utf8'));
      i += 1;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8').trim();
}
