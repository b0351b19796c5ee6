import { IdentityError } from './errors.ts';

// Addresses are compared in one form: Unicode NFC, trimmed, lower case (case-insensitive local parts are
// what every mail provider customers use does), so `Anna@Shop.example` and `anna@shop.example` are one account.
export function normalizeEmail(input: unknown): string {
  if (typeof input !== 'string') throw new IdentityError('identity.invalid_email', 'email');
  const email = input.normalize('NFC').trim().toLowerCase();
  // RFC 5321 §4.5.3.1: 254 octets in a path; one @, a dot in the domain, no spaces or control characters.
  if (
    Buffer.byteLength(email) > 254 ||
    !/^[^\s@<>()[\]\\,;:"\p{Cc}]+@[^\s@<>()[\]\\,;:"\p{Cc}]+\.[^\s@<>()[\]\\,;:"\p{Cc}]{2,}$/u.test(email)
  ) {
    throw new IdentityError('identity.invalid_email', 'email');
  }
  // The rest of RFC 5321 §4.5.3.1 / §4.1.2 that relays enforce: an address the outbox would refuse must be refused
  // here, before an account is stored for it.
  const [local, domain] = email.split('@');
  const labels = domain.split('.');
  if (
    Buffer.byteLength(local) > 64 ||
    local.split('.').some((atom) => atom === '') ||
    labels.some((label) => label === '' || label.length > 63 || label.startsWith('-') || label.endsWith('-'))
  ) {
    throw new IdentityError('identity.invalid_email', 'email');
  }
  return email;
}
