// The console's lists are keyset pages: a Next or Previous link carries an opaque cursor, the key of the last (or
// first) row shown and the way to go, so a page far down costs what the first one does and rows added meanwhile shift
// nothing. A cursor is only a place in the list: whatever it says, the admin service still decides what the operator
// may see, so a cursor made by hand can at worst start the list elsewhere. One that does not decode is refused.

export type Toward = 'next' | 'prev';
export type KeyPart = 'string' | 'number';
export interface Cursor {
  toward: Toward;
  key: Array<string | number>;
}

const version = 1;
const maxCursorLength = 1024;
const maxKeyStringLength = 320;
/** Rows a page shows unless the link asks for another number (`size`), and the most it may ask for. */
export const pageSizes = { default: 50, max: 200 } as const;

export function encodeCursor(toward: Toward, key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify([version, toward, ...key]), 'utf8').toString('base64url');
}

const partOk = (part: KeyPart, value: unknown) =>
  part === 'number'
    ? typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    : typeof value === 'string' && value.length <= maxKeyStringLength && value.isWellFormed() && !value.includes('\0');

/**
 * The cursor a link carried: undefined when there is none (the first page), null when it is not one of this list's
 * (malformed, tampered with, a key of the wrong shape, a negative or huge number).
 */
export function decodeCursor(raw: string | undefined, shape: readonly KeyPart[]): Cursor | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > maxCursorLength || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 2 || parsed[0] !== version) return null;
  const [, toward, ...key] = parsed as [number, unknown, ...unknown[]];
  if (toward !== 'next' && toward !== 'prev') return null;
  if (!shape.every((part, i) => partOk(part, key[i]))) return null;
  return { toward, key: key as Array<string | number> };
}

/** The page size a link asks for, within 1 and the cap; the default without one. */
export function pageSizeOf(raw: string | undefined): number {
  if (raw === undefined || raw === '') return pageSizes.default;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? Math.min(Math.max(n, 1), pageSizes.max) : pageSizes.default;
}

/**
 * One page out of rows read one more than the page holds, in the list's order (the store turns a Previous page
 * round): the row too many says whether there is more that way. Coming from the other side, there is a page back.
 */
export function pageOf<T>(
  rows: T[],
  size: number,
  cursor: Cursor | undefined,
  keyOf: (row: T) => Array<string | number>,
) {
  const more = rows.length > size;
  const toward = cursor?.toward ?? 'next';
  const shown = more ? (toward === 'next' ? rows.slice(0, size) : rows.slice(rows.length - size)) : rows;
  const hasNext = toward === 'next' ? more : true;
  const hasPrev = toward === 'prev' ? more : cursor !== undefined;
  return {
    rows: shown,
    next: hasNext && shown.length > 0 ? encodeCursor('next', keyOf(shown[shown.length - 1])) : undefined,
    prev: hasPrev && shown.length > 0 ? encodeCursor('prev', keyOf(shown[0])) : undefined,
  };
}
