// Sign-in with a social provider as one more first factor of src/signin, and the links between provider accounts
// and Tessera accounts. The trip's checks live in the database (any node finishes it); the browser that left is
// bound to it by a cookie's hash; a provider account is found by its key, never by its address (T23).
import { createHash, randomUUID } from 'node:crypto';
import type { ReportEvent } from '../audit/index.ts';
import type { Clock, Random } from '../clock/index.ts';
import { normalizeEmail, type Account, type IdentityStore } from '../identity/index.ts';
import { SocialError } from './errors.ts';
import type { SocialIdentity, SocialProvider, SocialProviderName } from './provider.ts';
import type { SocialFlow, SocialLink, SocialStore } from './store.ts';

export interface SocialPorts {
  providers: readonly SocialProvider[];
  store: SocialStore;
  accounts: Pick<IdentityStore, 'findAccountById' | 'findAccountByEmail'>;
  clock: Clock;
  random: Random;
  flowSeconds: number;
  audit: ReportEvent;
  /** Mails the link that proves an existing account (template `social.link_account`). */
  sendMail(templateId: string, to: string, params: Record<string, string | number>): Promise<void>;
  /** The mailed link's address, built from the issuer. */
  proofLink(token: string): string;
}

/** What a returned sign-in comes to: signed in (perhaps as a new account), or an account to prove first. */
export type SocialOutcome =
  | { kind: 'signed_in'; account: Account; created: boolean; identity: SocialIdentity }
  | { kind: 'prove_existing'; email: string; identity: SocialIdentity };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const emailOf = (identity: SocialIdentity) => {
  try {
    return identity.email ? normalizeEmail(identity.email) : undefined;
  } catch {
    return undefined;
  }
};

export function createSocial(p: SocialPorts) {
  const byName = new Map(p.providers.map((provider) => [provider.name, provider]));
  const provider = (name: string) => {
    const found = byName.get(name as SocialProviderName);
    if (!found) throw new SocialError('social.unknown_provider');
    return found;
  };
  const token = () => p.random.bytes(32).toString('base64url');
  const steps = accountSteps(p);
  const proofs = proofSteps(p, steps, token);

  const take = (handle: string, purpose: SocialFlow['purpose']) => takeReturned(p, handle, purpose);

  return {
    /** The configured providers, in the order the pages show them. */
    names: (): SocialProviderName[] => p.providers.map((x) => x.name),

    /** Starts a trip: where to send the browser, and the cookie value that binds the trip to it. */
    async begin(input: { provider: string; purpose: SocialFlow['purpose']; handle: string; accountId?: string }) {
      const chosen = provider(input.provider);
      const browserToken = token();
      const checks = { state: token(), nonce: token(), codeVerifier: token() };
      const url = await chosen.authorizationUrl(checks);
      const now = p.clock.now();
      await p.store.saveFlow({
        ...checks,
        provider: chosen.name,
        purpose: input.purpose,
        handle: input.handle,
        accountId: input.accountId ?? null,
        browserHash: sha256(browserToken),
        identity: null,
        expiresAt: now + p.flowSeconds * 1000,
        createdAt: now,
      });
      return { url, browserToken };
    },

    /**
     * The browser back at the callback: the flow its state names, left from this browser, and the provider's answer
     * checked. Answers where the trip continues. Cancel at the provider is `social.cancelled`.
     */
    async returned(input: { provider: string; callback: URL; browserToken: string | undefined }) {
      const chosen = provider(input.provider);
      const state = input.callback.searchParams.get('state') ?? '';
      const flow = state.length <= 64 ? await p.store.findLeaving(state, p.clock.now()) : undefined;
      // A state from another browser is refused before any code is spent: else a person lured to finish someone
      // else's trip would sign that someone in as themselves (login CSRF).
      const sameBrowser = input.browserToken !== undefined && flow?.browserHash === sha256(input.browserToken);
      if (!flow || flow.provider !== chosen.name || !sameBrowser) throw new SocialError('social.state_invalid');
      const error = input.callback.searchParams.get('error');
      if (error) {
        await p.audit({
          action: 'social.return',
          subject: flow.accountId,
          outcome: error,
          details: { provider: flow.provider },
        });
        throw new SocialError(error === 'access_denied' ? 'social.cancelled' : 'social.rejected', { message: error });
      }
      const identity = await chosen.identify(input.callback, flow);
      if (!(await p.store.recordReturn(flow.state, identity, p.clock.now()))) {
        throw new SocialError('social.state_invalid');
      }
      return { purpose: flow.purpose, handle: flow.handle };
    },

    /** A sign-in that came back: the linked account, a new account, or an existing one to prove first. */
    async signIn(handle: string): Promise<SocialOutcome> {
      const flow = await p.store.findReturned(handle, p.clock.now());
      if (!flow?.identity || flow.purpose !== 'signin') throw new SocialError('social.state_invalid');
      const outcome = await steps.resolve(flow.identity);
      // A person who must prove an existing account keeps the flow for that step.
      if (outcome.kind === 'signed_in') await take(handle, 'signin');
      return outcome;
    },

    /** After the person proved the existing account with this address (its password): linked, and signed in. */
    async linkProven(handle: string, account: Account): Promise<Account> {
      const flow = await take(handle, 'signin');
      await steps.linkExisting(flow.identity, account);
      return account;
    },

    /** The account page's "Link": the provider account that came back is linked to the signed-in account. */
    async linkFromAccount(handle: string, accountId: string): Promise<SocialLink> {
      const flow = await take(handle, 'link');
      if (flow.accountId !== accountId) throw new SocialError('social.state_invalid');
      return steps.link(flow.identity, accountId, 'account_page');
    },

    ...proofs,

    list: (accountId: string) => p.store.listLinks(accountId),

    /** Unlinks, unless it is the account's last way to sign in (no password and no other link). */
    async unlink(accountId: string, providerName: string, subject: string): Promise<void> {
      const account = await p.accounts.findAccountById(accountId);
      const links = await p.store.listLinks(accountId);
      if (!account?.passwordHash && links.length <= 1) throw new SocialError('social.last_method');
      if (!(await p.store.removeLink(accountId, providerName as SocialProviderName, subject))) {
        throw new SocialError('social.unknown_provider');
      }
      await p.audit({
        action: 'social.unlink',
        subject: accountId,
        outcome: 'success',
        details: { provider: providerName },
      });
    },

    purge: () => p.store.purgeFlows(p.clock.now() - 24 * 3600 * 1000),
  };
}

/** The flow of `handle` that came back from its provider, taken so that it is used once. */
async function takeReturned(
  p: SocialPorts,
  handle: string,
  purpose: SocialFlow['purpose'],
): Promise<SocialFlow & { identity: SocialIdentity }> {
  const flow = await p.store.findReturned(handle, p.clock.now());
  if (!flow?.identity || flow.purpose !== purpose || !(await p.store.take(flow.state, p.clock.now()))) {
    throw new SocialError('social.state_invalid');
  }
  return flow as SocialFlow & { identity: SocialIdentity };
}

/** Proving an existing account by a mailed link instead of its password (an account made with a provider has none). */
function proofSteps(p: SocialPorts, steps: ReturnType<typeof accountSteps>, token: () => string) {
  return {
    /**
     * "Mail me a link" instead of the password (an account made with another provider has none): a link to the
     * existing account's address; opening it links the provider, and the sign-in page then goes on.
     */
    async mailProof(handle: string): Promise<{ email: string }> {
      const flow = await p.store.findReturned(handle, p.clock.now());
      if (!flow?.identity || flow.purpose !== 'signin') throw new SocialError('social.state_invalid');
      const outcome = await steps.resolve(flow.identity);
      if (outcome.kind !== 'prove_existing') throw new SocialError('social.state_invalid');
      const proof = token();
      await p.store.setProof(flow.state, sha256(proof));
      const provider = flow.identity.provider;
      await p.sendMail('social.link_account', outcome.email, {
        provider: provider.charAt(0).toUpperCase() + provider.slice(1),
        link: p.proofLink(proof),
        expiresSeconds: Math.max(0, Math.round((flow.expiresAt - p.clock.now()) / 1000)),
      });
      return { email: outcome.email };
    },

    /** The mailed link opened: the provider linked to the account at that address; answers the sign-in to go on. */
    async confirmProof(proof: unknown): Promise<{ handle: string }> {
      if (typeof proof !== 'string' || proof.length > 100) throw new SocialError('social.state_invalid');
      const flow = await p.store.useProof(sha256(proof), p.clock.now());
      const email = flow?.identity && emailOf(flow.identity);
      const account = email && (await p.accounts.findAccountByEmail(email));
      if (!flow?.identity || !account) throw new SocialError('social.state_invalid');
      await steps.linkExisting(flow.identity, account, 'mailed_link');
      return { handle: flow.handle };
    },
  };
}

/** Finding, making and linking the account a provider's person means. */
function accountSteps(p: SocialPorts) {
  async function link(identity: SocialIdentity, accountId: string, via: string): Promise<SocialLink> {
    const existing = await p.store.findLink(identity.provider, identity.subject);
    if (existing && existing.accountId !== accountId) throw new SocialError('social.linked_elsewhere');
    const row: SocialLink = {
      provider: identity.provider,
      subject: identity.subject,
      accountId,
      email: identity.email,
      createdAt: p.clock.now(),
      lastUsedAt: p.clock.now(),
    };
    if (!existing && (await p.store.addLink(row)) === 'taken') {
      const winner = await p.store.findLink(identity.provider, identity.subject);
      if (winner?.accountId !== accountId) throw new SocialError('social.linked_elsewhere');
    }
    await p.audit({
      action: 'social.link',
      subject: accountId,
      outcome: 'success',
      details: { provider: identity.provider, via },
    });
    return existing ?? row;
  }

  /** A new customer account from the provider's confirmed address and name, no password; linked at once. */
  async function create(identity: SocialIdentity, email: string): Promise<Account | undefined> {
    const now = p.clock.now();
    const id = randomUUID();
    const link = { provider: identity.provider, subject: identity.subject, accountId: id, email };
    const made = await p.store.createAccountWithLink(
      { id, email, name: identity.name, createdAt: now },
      { ...link, createdAt: now, lastUsedAt: now },
    );
    if (made === 'taken') return undefined;
    await p.audit({ action: 'account.create', subject: id, outcome: 'success', details: { by: identity.provider } });
    return p.accounts.findAccountById(id);
  }

  async function signedInAs(account: Account, identity: SocialIdentity, created: boolean): Promise<SocialOutcome> {
    // Staff prove themselves with the company's password (and code), never through a social provider.
    if (account.kind === 'workforce') throw new SocialError('social.workforce');
    if (account.status !== 'active') throw new SocialError('social.rejected', { message: 'account disabled' });
    await p.store.touchLink(identity.provider, identity.subject, p.clock.now());
    await p.audit({
      action: 'account.sign_in',
      subject: account.id,
      outcome: 'success',
      details: { source: identity.provider },
    });
    return { kind: 'signed_in', account, created, identity };
  }

  async function resolve(identity: SocialIdentity, attempt = 0): Promise<SocialOutcome> {
    const linked = await p.store.findLink(identity.provider, identity.subject);
    const account = linked && (await p.accounts.findAccountById(linked.accountId));
    if (account) return signedInAs(account, identity, false);
    const email = emailOf(identity);
    // No confirmed address, no account: an address the provider did not confirm could be anybody's (T23).
    if (!email || !identity.emailVerified) throw new SocialError('social.email_unverified');
    const holder = await p.accounts.findAccountByEmail(email);
    if (holder?.kind === 'workforce') throw new SocialError('social.workforce');
    // Linked only when both sides' address is confirmed and the person proves the account; else they are told.
    if (holder) {
      // The same person's callback in another browser may have made the account and its link between the two reads.
      const linkedMeanwhile = await p.store.findLink(identity.provider, identity.subject);
      if (linkedMeanwhile?.accountId === holder.id) return signedInAs(holder, identity, false);
      if (!holder.emailVerified || holder.status !== 'active') throw new SocialError('social.account_exists');
      return { kind: 'prove_existing', email, identity };
    }
    const created = await create(identity, email);
    if (created) return signedInAs(created, identity, true);
    if (attempt > 0) throw new SocialError('social.account_exists');
    return resolve(identity, attempt + 1);
  }

  /** The person proved `account` (its password) after a provider vouched for the same, confirmed, address. */
  async function linkExisting(identity: SocialIdentity, account: Account, via = 'password'): Promise<void> {
    const email = emailOf(identity);
    if (!email || !identity.emailVerified || account.email !== email || !account.emailVerified) {
      throw new SocialError('social.account_exists');
    }
    if (account.kind === 'workforce') throw new SocialError('social.workforce');
    await link(identity, account.id, via);
  }

  return { resolve, link, linkExisting };
}

export type Social = ReturnType<typeof createSocial>;
