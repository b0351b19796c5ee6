// Words a person reads, by stable id: code and tests refer to the id, never to the English text.
export const messages = {
  'home.signed_in_as': 'Signed in as',
  'home.signed_out': 'You are not signed in.',
  'home.claims': 'What the ID token says about you',
  'home.sign_in': 'Sign in',
  'home.create_account': 'Create account',
  'home.log_out': 'Log out',
  'home.sso_hint': 'One Tessera account signs you in to every demo app.',
  'error.title': 'Sign-in did not work',
  'error.home': 'Back to the start page',
  'callback.no_pending': 'This sign-in link has expired or was already used. Please sign in again.',
  'callback.state_mismatch':
    'This sign-in response does not belong to the sign-in you started (state mismatch), so it was refused. Please sign in again.',
  'callback.denied': 'Tessera did not sign you in.',
  'callback.exchange_failed': "Tessera's answer could not be verified, so you were not signed in. Please try again.",
  'logout.csrf': 'This log-out request did not come from this page. Please use the Log out button.',
  'request.invalid': 'This request is not one this app understands.',
  'error.unexpected': 'An unexpected error stopped this page; it has been logged.',
  'issuer.unreachable': 'Tessera cannot be reached right now. Please try again in a moment.',
} as const;

export type MessageId = keyof typeof messages;
