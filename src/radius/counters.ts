// Per-client, per-outcome counters as plain numbers, so the composer can export them to Prometheus
// (or read them in a test) without this module importing prom-client.

export const radiusOutcomes = [
  'access_accept',
  'access_reject',
  'access_challenge',
  'accounting_response',
  'status_server',
  'duplicate',
  'in_progress',
  'malformed',
  'unsupported_code',
  'bad_authenticator',
  'missing_message_authenticator',
  'bad_message_authenticator',
  'proxy_state_without_message_authenticator',
  'authenticate_error',
  'account_error',
] as const;
export type RadiusOutcome = (typeof radiusOutcomes)[number];

export interface RadiusCounters {
  /** Datagrams from addresses that match no configured client (checklist T38). */
  unknownClient: number;
  clients: Record<string, Record<RadiusOutcome, number>>;
}

export interface CountEvent {
  /** The NAS name, or null for a datagram from an unknown address. */
  client: string | null;
  outcome: RadiusOutcome | 'unknown_client';
}

export function createCounters(names: readonly string[], onCount?: (event: CountEvent) => void) {
  const zero = () => Object.fromEntries(radiusOutcomes.map((o) => [o, 0])) as Record<RadiusOutcome, number>;
  const state: RadiusCounters = { unknownClient: 0, clients: Object.fromEntries(names.map((n) => [n, zero()])) };
  return {
    count(client: string | null, outcome: RadiusOutcome | 'unknown_client'): void {
      if (client === null || outcome === 'unknown_client') state.unknownClient++;
      // Clients added at run time (from the database) get their counters on first use.
      else {
        state.clients[client] ??= zero();
        state.clients[client][outcome]++;
      }
      // A failing observer must never stop a reply.
      try {
        onCount?.({ client, outcome });
      } catch {
        /* ignored on purpose */
      }
    },
    snapshot(): RadiusCounters {
      return structuredClone(state);
    },
  };
}
