// RFC 4515 search filters. Every value that reaches a filter goes through escapeFilterValue;
// the whole filter is then turned into ldapts objects with values as exact bytes.
import { AndFilter, EqualityFilter, FilterParser, NotFilter, OrFilter, type Filter } from 'ldapts';

/**
 * RFC 4515 §3: `*`, `(`, `)`, `\` and NUL must be written as `\XX`. We also escape every other byte outside
 * printable ASCII (controls, DEL and each UTF-8 byte of non-ASCII text): the RFC allows it, and it keeps
 * the filter string pure ASCII so that what we log is exactly what we send.
 */
export function escapeFilterValue(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  let out = '';
  for (const byte of bytes) {
    const special = byte === 0x2a || byte === 0x28 || byte === 0x29 || byte === 0x5c;
    if (special || byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}

/** `(attribute=value)` with the value escaped. The attribute comes from configuration, never from a user. */
export function equals(attribute: string, value: string | Uint8Array): string {
  return `(${attribute}=${escapeFilterValue(value)})`;
}

/**
 * `(attribute=value)` as the ldapts object `compileFilter(equals(attribute, value))` gives, without writing and
 * parsing the string: the sign-in's user search makes one at every sign-in.
 */
export function equalityFilter(attribute: string, value: string | Uint8Array): Filter {
  return new EqualityFilter({ attribute, value: Buffer.from(value) });
}

export function and(...filters: string[]): string {
  return filters.length === 1 ? filters[0] : `(&${filters.join('')})`;
}

export function or(...filters: string[]): string {
  return filters.length === 1 ? filters[0] : `(|${filters.join('')})`;
}

/** True for a filter string we can send: balanced, parseable, and ASCII only (non-ASCII must be escaped). */
export function isValidFilter(filter: string): boolean {
  if (!/^[\x20-\x7e]*$/.test(filter)) return false;
  try {
    FilterParser.parseString(filter);
    return true;
  } catch {
    return false;
  }
}

/**
 * ldapts decodes each `\XX` escape as one UTF-16 unit and would re-encode `\c3\a9` as four bytes.
 * Because our filter strings are ASCII-only, every decoded unit is one byte: we turn equality values back
 * into those exact bytes, so non-ASCII names and binary GUIDs reach the server unchanged.
 */
export function compileFilter(filter: string): Filter {
  if (!/^[\x20-\x7e]*$/.test(filter)) throw new Error('filter must be ASCII; escape other characters');
  return toBytes(FilterParser.parseString(filter));
}

function toBytes(filter: Filter): Filter {
  if (filter instanceof AndFilter || filter instanceof OrFilter) filter.filters = filter.filters.map(toBytes);
  else if (filter instanceof NotFilter) filter.filter = toBytes(filter.filter);
  else if (filter instanceof EqualityFilter && typeof filter.value === 'string') {
    filter.value = Buffer.from(filter.value, 'latin1');
  }
  return filter;
}
