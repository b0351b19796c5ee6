// What a newcomer setting up the directory needs to see, step by step: which servers answered, whether the service
// account binds and searches, and how a person's entry maps. Errors say what the directory said; none carries a
// password. Needs no database: it runs before anything else is set up.
import type { Clock } from '../clock/index.ts';
import { createDirectorySource, type DirectoryConfig, type DirectoryUser } from '../directory/index.ts';

export interface DirectoryCheck {
  /** Each server that did not answer, with why (`ldap://dc1:389 (connect ECONNREFUSED …)`). */
  failedServers: string[];
  bindDn: string;
  baseDn: string;
  /** The service account bound and searched. */
  bound: boolean;
  /** With a user name: the entry it signs in as, mapped as Tessera sees it; null when no entry matches. */
  entry?: ({ dn: string; status: unknown } & DirectoryUser) | null;
  /** What went wrong, and what the directory said about it. */
  problem?: { code?: string; message: string; diagnostic?: string };
}

// A plain name nobody has still makes the service account bind and search: the connection check.
const probeName = 'tessera-directory-check';

export async function checkDirectory(
  directory: DirectoryConfig,
  user: string | undefined,
  clock: Clock,
): Promise<DirectoryCheck> {
  const failedServers: string[] = [];
  const report: DirectoryCheck = { failedServers, bindDn: directory.bindDn, baseDn: directory.baseDn, bound: false };
  const onServerFailed = (url: string, reason: string) => failedServers.push(`${url} (${reason})`);
  const source = createDirectorySource(directory, { clock, onServerFailed });
  try {
    await source.describe(probeName);
    report.bound = true;
    if (user === undefined) return report;
    const found = await source.describe(user);
    report.entry = found === null ? null : { ...found.person, dn: found.dn, status: found.status };
    return report;
  } catch (err) {
    // Whatever the directory library threw, the newcomer needs its words, not a stack trace.
    const { code, message, diagnostic } = err as { code?: unknown; message: string; diagnostic?: string | null };
    report.problem = {
      code: typeof code === 'string' ? code : undefined,
      message,
      diagnostic: diagnostic ?? undefined,
    };
    return report;
  } finally {
    await source.close();
  }
}
