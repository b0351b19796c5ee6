// The SAML apps (service providers) and the IdP's signing keys, each change audited.
import type { AdminOptions, AdminPorts } from './ports.ts';
import { recorder } from './changes.ts';
import { reasonOf } from './tokens.ts';

export interface SamlAppInput {
  metadata: string;
  name?: string;
  settings?: {
    nameIdFormat?: 'persistent' | 'email' | 'unspecified';
    attributeNames?: 'claims' | 'plain';
    signResponse?: boolean;
  };
}

export function samlAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  return {
    /** Adds an app from its metadata; its OTP policy is `policy set --app saml:<entity ID>`. */
    async add(input: SamlAppInput, reason?: string) {
      const sp = await p.saml.providers.add(input);
      const consumers = sp.consumers.map((c) => c.location);
      const details = { name: sp.name, consumers, settings: sp.settings, ...reasonOf(reason) };
      await record('saml.sp.add', sp.entityId, details);
      return {
        entityId: sp.entityId,
        name: sp.name,
        consumers,
        settings: sp.settings,
        policyApp: `saml:${sp.entityId}`,
      };
    },
    list: () => p.saml.providers.list(),
    async remove(entityId: string, reason?: string) {
      await p.saml.providers.remove(entityId);
      await record('saml.sp.remove', entityId, reasonOf(reason));
    },
    /** The published next key signs from now on; a new next key is published. */
    async rotateKeys() {
      const keys = await p.saml.keys.rotate();
      await record('saml.keys.rotate', null, { current: keys.current.id, next: keys.next.id });
      return { current: keys.current.id, next: keys.next.id };
    },
  };
}
