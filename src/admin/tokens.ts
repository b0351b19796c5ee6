// The helpdesk's token work: list a person's tokens, lift a lock, unbind a lost token, import and assign hardware
// tokens. Each change is one audit row by the acting operator, the token change a step of it.
import type { Account } from '../identity/index.ts';
import { OtpError, type TokenDescription } from '../otp/index.ts';
import { AdminError } from './errors.ts';
import { recorder } from './changes.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';
import { readPskcFile, type PskcSecrets } from './pskc.ts';
import { readSeedFile, type SeedEncoding, type SeedFile } from './seed-file.ts';

export type ImportResult =
  | { imported: number; alreadyThere: string[]; problems: [] }
  /** The file had problems: nothing was stored. */
  | { imported: 0; alreadyThere: []; problems: string[] };

const otpCode = (err: unknown) => (err instanceof OtpError ? err.code : undefined);

/** Why the operator acted, as they said it (the console asks every time), kept in the audit row; at most 500 characters. */
export const reasonOf = (reason: string | undefined) => {
  const said = reason?.normalize('NFC').trim().slice(0, 500);
  return said ? { reason: said } : {};
};

export function tokenAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  const accountOf = async (login: string): Promise<Account> => {
    const account = await p.accounts.findByLogin(login);
    if (!account) throw new AdminError('admin.account_unknown', { field: 'user', subject: login });
    return account;
  };

  /** Unlock or unbind, as one audit row by the operator; an unknown serial changes nothing and records nothing. */
  const change = async (kind: 'unlock' | 'unbind', serial: string, reason?: string): Promise<void> => {
    const done = await p.audit.asOneEvent(async () => {
      try {
        await (kind === 'unlock' ? p.otp.unlock(serial) : p.otp.unbind(serial));
      } catch (err) {
        if (!(err instanceof OtpError)) throw err;
        return false;
      }
      await record(`helpdesk.otp_${kind}`, null, { serial, ...reasonOf(reason) });
      return true;
    });
    if (!done) {
      const code = kind === 'unlock' ? 'admin.token_not_in_use' : 'admin.token_not_bound';
      throw new AdminError(code, { field: 'serial', subject: serial });
    }
  };

  /** The file's tokens, stored only when the whole file was good; tokens already there are left as they were. */
  const store = async ({ tokens, problems }: SeedFile, format: 'csv' | 'pskc'): Promise<ImportResult> => {
    if (problems.length > 0) return { imported: 0, alreadyThere: [], problems };
    let imported = 0;
    const alreadyThere: string[] = [];
    for (const token of tokens) {
      try {
        await p.otp.importHardware(token);
        imported++;
      } catch (err) {
        if (otpCode(err) !== 'otp.serial_taken') throw err;
        alreadyThere.push(token.serial);
      }
    }
    await record('helpdesk.otp_import', null, { format, imported, alreadyThere: alreadyThere.length });
    return { imported, alreadyThere, problems: [] };
  };

  return {
    /** A person's tokens, found by e-mail address or directory name; never a secret. */
    async list(login: string): Promise<{ account: Account; tokens: TokenDescription[] }> {
      const account = await accountOf(login);
      return { account, tokens: await p.otp.list(account.id) };
    },

    /** Helpdesk, once the person is identified: lifts a lock and clears the failed codes. */
    unlock: (serial: string, reason?: string) => change('unlock', serial, reason),

    /**
     * A drifting token re-aligned from two consecutive codes the person reads out (RFC 4226 §7.4, RFC 6238 §6): one
     * audit row by the operator, the check a step of it; codes that do not follow each other count as a wrong code.
     */
    async resync(serial: string, first: string, second: string, reason?: string): Promise<void> {
      const owner = await p.otp.ownerOf(serial);
      if (owner === undefined) throw new AdminError('admin.token_not_in_use', { field: 'serial', subject: serial });
      return p.audit.asOneEvent(async () => {
        try {
          await p.otp.resync(owner, serial, first, second);
          await record('helpdesk.otp_resync', owner, { serial, ...reasonOf(reason) });
        } catch (err) {
          if (otpCode(err) === 'otp.serial_unknown') {
            throw new AdminError('admin.token_not_in_use', { field: 'serial', subject: serial });
          }
          const outcome = otpCode(err)?.slice(4) ?? 'error';
          const details = { serial, ...reasonOf(reason) };
          await p.audit.record({ actor: o.actor, action: 'helpdesk.otp_resync', subject: owner, outcome, details });
          throw err;
        }
      });
    },

    /** A lost or returned token stops working at once; the person registers a new one. */
    unbind: (serial: string, reason?: string) => change('unbind', serial, reason),

    /** A vendor's seed file, checked whole first; tokens already there are left as they were. */
    importSeedFile: (text: string, encoding: SeedEncoding) => store(readSeedFile(text, encoding), 'csv'),

    /** A vendor's PSKC file (RFC 6030), plain or opened with its password or key; otherwise as importSeedFile. */
    importPskcFile: (text: string, secrets: PskcSecrets) => store(readPskcFile(text, secrets), 'pskc'),

    /** Gives a person an imported hardware token; it works at once. */
    async assign(
      login: string,
      serial: string,
      reason?: string,
    ): Promise<{ account: Account; token: TokenDescription }> {
      const account = await accountOf(login);
      try {
        const token = await p.audit.asOneEvent(async () => {
          const assigned = await p.otp.assignHardware(account.id, serial);
          await record('helpdesk.otp_assign', account.id, { serial, ...reasonOf(reason) });
          return assigned;
        });
        return { account, token };
      } catch (err) {
        const code = otpCode(err);
        if (code !== 'otp.serial_taken' && code !== 'otp.serial_unknown') throw err;
        const adminCode = code === 'otp.serial_taken' ? 'admin.serial_taken' : 'admin.serial_unknown';
        throw new AdminError(adminCode, { field: 'serial', subject: serial });
      }
    },
  };
}
