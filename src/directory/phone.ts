// Mobile numbers as directories hold them (`0721 234 567`, `+40 (721) 234-567`, `0040721234567`) turned into E.164,
// the one form SMS gateways and rate limits use, by libphonenumber's rules rather than by hand.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** The number in E.164, or null when there is none or it is not a valid number (a typo in the directory). */
export function toE164(written: string | null, region: string | undefined): string | null {
  if (written === null || written.trim() === '') return null;
  const parsed = parsePhoneNumberFromString(written, region as CountryCode | undefined);
  return parsed?.isValid() ? parsed.number : null;
}
