// Lengths of time as people say them ("24 hours", "1 hour and 30 minutes", "2 days"), in the reader's language.
// Every text a person reads (mails, pages, the CLI) writes a duration through this one function, never as
// "1440 minutes": code keeps seconds (STYLE 16), the words are chosen where the text is made.

// Each unit with its size and the length from which it is used: a day-long link "works for 24 hours", as people
// say it; from two days on, days.
const units = [
  ['day', 86_400, 172_800],
  ['hour', 3600, 3600],
  ['minute', 60, 60],
  ['second', 1, 1],
] as const;

/**
 * At most the two largest units that matter. What the second one cannot show is rounded up: a person told to wait is
 * never told to come back too early.
 */
export function formatDuration(seconds: number, locale = 'en'): string {
  const total = Math.max(0, Math.ceil(seconds));
  const first = units.findIndex(([, , from]) => total >= from);
  const unitText = (unit: string, n: number) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
  if (first === -1) return unitText('second', 0);
  const [major, majorSize] = units[first];
  const [minor, minorSize] = units[Math.min(first + 1, units.length - 1)];
  const inMinor = Math.ceil(total / minorSize);
  const ratio = majorSize / minorSize;
  const parts = [unitText(major, Math.floor(inMinor / ratio))];
  if (ratio > 1 && inMinor % ratio > 0) parts.push(unitText(minor, inMinor % ratio));
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(parts);
}

/**
 * Which parameters of a message are durations: those in seconds, as their names say (`seconds`, `expiresSeconds`).
 * The catalogues write `{expiresSeconds}` and the renderers put the words in.
 */
export const isDurationParam = (name: string): boolean => name === 'seconds' || name.endsWith('Seconds');
