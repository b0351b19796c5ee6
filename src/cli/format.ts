// Tables for the operator's terminal. What a gateway or a person typed (a user name, say) reaches it: control
// characters are shown as \xNN, never sent, so an escape sequence in a name cannot rewrite the screen or hide a line.
import type { RecordedEvent } from '../audit/index.ts';
import type { TokenDescription } from '../otp/index.ts';
import type { VpnSession } from '../radius/index.ts';

export const utc = (ms: number | null) =>
  ms === null ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const visible = (cell: string) =>
  cell.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export function formatTable(cells: string[][]): string {
  const rows = cells.map((row) => row.map(visible));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

type Step = { action: string; outcome: string };

/** `names`: account id → the name the helpdesk knows the person by. */
export function formatEvents(events: RecordedEvent[], names: Map<string, string>): string {
  if (events.length === 0) return 'no audit events match';
  const rows = [['#', 'TIME (UTC)', 'ACTION', 'OUTCOME', 'SUBJECT', 'SOURCE', 'DETAILS']];
  for (const e of events) {
    // The reason first: it is what the helpdesk looks for; the steps of a VPN login in the order they ran.
    const { reason, steps, ...rest } = e.details as { reason?: unknown; steps?: Step[] };
    const details = [
      ...(reason === undefined ? [] : [`reason=${String(reason)}`]),
      ...Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`),
      ...(steps === undefined ? [] : [`steps: ${steps.map((s) => `${s.action} ${s.outcome}`).join(', ')}`]),
    ].join(' ');
    const subject = e.subject === null ? '' : (names.get(e.subject) ?? e.subject);
    rows.push([String(e.id), utc(e.at), e.action, e.outcome, subject, e.source ?? '', details]);
  }
  return formatTable(rows);
}

export function formatTokens(tokens: TokenDescription[], now: number): string {
  if (tokens.length === 0) return 'no OTP tokens: the person has not registered one';
  const rows = [['SERIAL', 'TYPE', 'STATE', 'FAILED CODES', 'LOCKED UNTIL (UTC)', 'REGISTERED (UTC)']];
  for (const t of tokens) {
    const lockedUntil = t.lockedUntil > now ? utc(t.lockedUntil) : '';
    rows.push([t.serial, t.type, t.state, String(t.failures), lockedUntil, utc(t.activatedAt ?? t.createdAt)]);
  }
  return formatTable(rows);
}

const bytes = (n: number | null) =>
  n === null ? '' : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;

export function formatSessions(sessions: VpnSession[]): string {
  if (sessions.length === 0) return 'no VPN sessions recorded';
  const rows = [['USER', 'GATEWAY', 'ADDRESS', 'FROM', 'STARTED (UTC)', 'ENDED (UTC)', 'IN', 'OUT', 'END CAUSE']];
  for (const s of sessions) {
    rows.push([
      s.userName ?? '',
      s.client,
      s.framedAddress ?? '',
      s.callingStation ?? '',
      utc(s.startedAt),
      s.stoppedAt === null ? 'active' : utc(s.stoppedAt),
      bytes(s.inputOctets),
      bytes(s.outputOctets),
      s.terminateCause ?? '',
    ]);
  }
  return formatTable(rows);
}
