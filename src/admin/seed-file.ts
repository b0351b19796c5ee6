// A vendor's seed file: `serial,secret[,digits[,period]]` a line, `#` comments, a header line naming `serial`. Every
// line is checked as the import would check it, so a bad file stores nothing; problems name the line, never a secret.
import { base32Decode, checkHardwareImport, OtpError, type HardwareImport } from '../otp/index.ts';

export type SeedEncoding = 'hex' | 'base32';

export interface SeedFile {
  tokens: HardwareImport[];
  /** One line each, e.g. `line 3: serial HW1 appears twice in the file`; empty when the whole file is good. */
  problems: string[];
}

function readLine(line: string, encoding: SeedEncoding): HardwareImport | string {
  const [serial = '', secretText = '', digits = '6', period = '30', ...extra] = line.split(',').map((f) => f.trim());
  const secretOk = encoding === 'hex' ? /^([0-9a-fA-F]{2})+$/.test(secretText) : /^[A-Za-z2-7]+=*$/.test(secretText);
  if (extra.length > 0 || !secretOk || !['6', '8'].includes(digits) || !['30', '60', 'hotp'].includes(period)) {
    return `expected serial,secret in ${encoding}[,6|8[,30|60|hotp]]`;
  }
  return {
    serial,
    secret: encoding === 'hex' ? Buffer.from(secretText, 'hex') : base32Decode(secretText.toUpperCase()),
    digits: Number(digits) as 6 | 8,
    periodSeconds: period === 'hotp' ? null : Number(period),
  };
}

const badSerial = 'the serial must be 1–64 letters, digits or . _ : -';

export function readSeedFile(text: string, encoding: SeedEncoding): SeedFile {
  const tokens: HardwareImport[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^serial\b/i.test(line)) return;
    const where = `line ${index + 1}`;
    const token = readLine(line, encoding);
    if (typeof token === 'string') {
      problems.push(`${where}: ${token}`);
      return;
    }
    try {
      const { serial } = checkHardwareImport(token);
      if (seen.has(serial)) throw new RangeError(`serial ${serial} appears twice in the file`);
      seen.add(serial);
      tokens.push({ ...token, serial });
    } catch (err) {
      problems.push(`${where}: ${err instanceof OtpError ? badSerial : (err as Error).message}`);
    }
  });
  return { tokens, problems };
}
