// The apps that sign people in (OIDC clients) and the VPN gateways that ask Tessera (RADIUS clients).
import type { ClientInput } from '../oidc/index.ts';
import type { StoredClientInput, StoredClientSummary, TestAnswer } from '../radius/index.ts';
import { AdminError } from './errors.ts';
import { recorder } from './changes.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';
import { reasonOf } from './tokens.ts';

/** A gateway as listed: from the configuration (no creation time) or added at run time (stored). */
export type ListedRadiusClient = Omit<StoredClientSummary, 'createdAt'> & {
  createdAt?: number;
  source: 'configuration' | 'database';
};

export function clientAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  return {
    /** Registers an app; the result holds its client_secret, the only time it is shown (never in the audit log). */
    async add(input: ClientInput, reason?: string): Promise<Record<string, unknown>> {
      const client = await p.clients.add(input);
      await record('client.add', String(client.client_id), {
        redirect_uris: client.redirect_uris,
        ...reasonOf(reason),
      });
      return client;
    },
    /** The apps registered as OIDC clients; the stand-ins of SAML apps are listed by `saml sp list` instead. */
    list: async () =>
      (await p.clients.list()).filter((c) => p.saml.providers.standInOf(String(c.client_id)) === undefined),
    async remove(clientId: string, reason?: string): Promise<void> {
      const entityId = p.saml.providers.standInOf(clientId);
      if (entityId !== undefined) {
        throw new AdminError('admin.client_is_saml_app', { field: 'id', subject: entityId });
      }
      await p.clients.remove(clientId);
      await record('client.remove', clientId, reasonOf(reason));
    },
  };
}

export function radiusClientAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  return {
    /**
     * A VPN gateway; without a secret a random one is made. `generated` says so: the secret is then shown once.
     * Running servers pick the client up at its first packet.
     */
    async add(
      input: StoredClientInput,
      reason?: string,
    ): Promise<{ client: StoredClientSummary; secret: string; generated: boolean }> {
      const { client, secret } = await p.radiusClients.add(input);
      const { address, allowedGroups } = client;
      await record('radius.client.add', client.name, { address, allowedGroups, ...reasonOf(reason) });
      return { client, secret, generated: input.secret === undefined };
    },

    /** The configured gateways, then the stored ones; never a secret. */
    async list(): Promise<ListedRadiusClient[]> {
      const configured = p.configuredRadiusClients.map(({ secret: _secret, ...c }) => ({
        ...c,
        source: 'configuration' as const,
      }));
      const stored = (await p.radiusClients.list()).map((c) => ({ ...c, source: 'database' as const }));
      return [...configured, ...stored];
    },

    /**
     * Sends a real Access-Request to this server's RADIUS port as the gateway would (its secret), and says what came
     * back: the quickest proof that the gateway's secret, address and policy are what the operator thinks. The audit
     * row keeps the user name and the answer, never the password.
     */
    async test(name: string, input: { user: string; password: string }, reason?: string): Promise<TestAnswer> {
      const answer = await p.testRadiusClient(name, input.user, input.password);
      if (answer === undefined) throw new AdminError('admin.gateway_unknown', { field: 'name', subject: name });
      if (answer === 'off') throw new AdminError('admin.radius_off');
      const details = { user: input.user, answer: answer.answer, ...reasonOf(reason) };
      await record('radius.client.test', name, details);
      return answer;
    },

    /** Running servers stop answering it at once (the change feed). */
    async remove(name: string, reason?: string): Promise<void> {
      await p.radiusClients.remove(name);
      await record('radius.client.remove', name, reasonOf(reason));
    },
  };
}
