// What an Accounting-Request (RFC 2866) says about a VPN session, read into one plain change: the store applies it.
import type { AccountingRecord } from './messages.ts';

// RFC 2866 §5.10, so operators read "Idle-Timeout" rather than 4.
const terminateCauses = [
  '',
  'User-Request',
  'Lost-Carrier',
  'Lost-Service',
  'Idle-Timeout',
  'Session-Timeout',
  'Admin-Reset',
  'Admin-Reboot',
  'Port-Error',
  'NAS-Error',
  'NAS-Request',
  'NAS-Reboot',
  'Port-Unneeded',
  'Port-Preempted',
  'Port-Suspended',
  'Service-Unavailable',
  'Callback',
  'User-Error',
  'Host-Request',
];

/** What a gateway reports of one VPN session; the stored session adds when it started, changed and ended. */
export interface SessionReport {
  client: string;
  sessionId: string;
  userName: string | null;
  nasAddress: string;
  framedAddress: string | null;
  callingStation: string | null;
  sessionSeconds: number | null;
  inputOctets: number | null;
  outputOctets: number | null;
  terminateCause: string | null;
}

export type SessionChange =
  // `at`: when the event happened at the NAS, arrival time less Acct-Delay-Time.
  | (SessionReport & { kind: 'start' | 'interim' | 'stop'; at: number })
  // Accounting-On/Off: the NAS restarted or stops, so every session it had open is over.
  | { kind: 'nas_restart'; client: string; at: number; terminateCause: string }
  // Status types this product does not track (e.g. tunnel link records); acknowledged, not stored.
  | { kind: 'ignored'; client: string };

export function sessionChange(record: AccountingRecord, receivedAt: number): SessionChange {
  const value = (name: string) => record.attributes.find((a) => a.name === name)?.value;
  const number = (name: string) => {
    const v = value(name);
    return typeof v === 'number' ? v : null;
  };
  const text = (name: string) => {
    const v = value(name);
    return v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  };
  const at = receivedAt - (number('Acct-Delay-Time') ?? 0) * 1000;
  // RFC 2869 §5.1: the Gigawords attributes count how often the 32-bit octet counter wrapped.
  const octets = (low: string, high: string) => {
    const l = number(low);
    return l === null ? null : l + (number(high) ?? 0) * 2 ** 32;
  };
  if (record.statusType === 7 || record.statusType === 8) {
    return {
      kind: 'nas_restart',
      client: record.client,
      at,
      terminateCause: record.statusType === 7 ? 'NAS-Reboot' : 'NAS-Request',
    };
  }
  const kind =
    record.statusType === 1 ? 'start' : record.statusType === 2 ? 'stop' : record.statusType === 3 ? 'interim' : null;
  if (kind === null || !record.sessionId) return { kind: 'ignored', client: record.client };
  const cause = number('Acct-Terminate-Cause');
  return {
    kind,
    client: record.client,
    sessionId: record.sessionId,
    userName: text('User-Name'),
    nasAddress: text('NAS-IP-Address') ?? record.source.address,
    framedAddress: text('Framed-IP-Address'),
    callingStation: text('Calling-Station-Id'),
    at,
    sessionSeconds: number('Acct-Session-Time'),
    inputOctets: octets('Acct-Input-Octets', 'Acct-Input-Gigawords'),
    outputOctets: octets('Acct-Output-Octets', 'Acct-Output-Gigawords'),
    terminateCause: cause === null ? null : terminateCauses[cause] || `Cause-${cause}`,
  };
}
