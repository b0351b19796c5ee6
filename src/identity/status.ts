// Checks that come after the password: a step taken later (a VPN challenge's answer, say) must not outlive a
// disabled account (T7).
import { IdentityError } from './errors.ts';
import type { IdentityStore } from './store.ts';

/** Throws the same refusal as a wrong password, so a later step says no more about the account than the first. */
export async function assertStillActive(
  store: Pick<IdentityStore, 'findAccountById'>,
  accountId: string,
): Promise<void> {
  if ((await store.findAccountById(accountId))?.status !== 'active') {
    throw new IdentityError('identity.invalid_credentials', 'password');
  }
}
