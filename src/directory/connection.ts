// Connections to the directory: URLs tried in order (fail-over), ldaps:// or StartTLS with the configured CA,
// timeouts on connect and on every operation. Whether an error is "the server answered" or "we could not
// reach it" is decided here, once, so that unreachable is never mistaken for a wrong password.
import { BusyError, Client, ResultCodeError, UnavailableError } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { DirectoryUnreachableError, EmptyPasswordError } from './errors.ts';

export interface ConnectionSettings {
  urls: string[];
  /** PEM text of the CA; unset uses the system store. */
  ca?: string;
  startTls: boolean;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  /** Told of each server that did not answer a connection, with why: fail-over is silent to people, not to operators. */
  onServerFailed?(url: string, reason: string): void;
}

/**
 * True when the server itself answered with an LDAP result: asking another server would change nothing.
 * busy / unavailable are answers that mean "ask someone else".
 */
export function isDirectoryAnswer(err: unknown): err is ResultCodeError {
  return err instanceof ResultCodeError && !(err instanceof BusyError) && !(err instanceof UnavailableError);
}

/** An error's first line: what a log or another error may repeat of it. */
export const firstLine = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : 'no answer');

export function closeQuietly(client: Client): void {
  client.unbind().catch(() => undefined);
}

function tlsOptionsFor(url: string, settings: ConnectionSettings): ConnectionOptions {
  const host = new URL(url).hostname;
  // rejectUnauthorized stays true: a directory we cannot authenticate is one we must not send passwords to.
  return { ca: settings.ca, host, rejectUnauthorized: true };
}

// StartTLS and the TLS handshake have no ldapts timeout of their own; this bounds the whole opening.
function withDeadline<T>(ms: number, work: Promise<T>, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error('Connection timeout'));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

// CVE-2022-0730: an empty simple-bind password is an unauthenticated bind that servers report as success.
function refuseUnauthenticated(password: unknown): void {
  if (typeof password !== 'string' || password.length === 0) throw new EmptyPasswordError();
}

/** A simple bind on an open connection: every bind goes through here, so none can be unauthenticated. */
export async function simpleBind(client: Client, dn: string, password: string): Promise<void> {
  refuseUnauthenticated(password);
  await client.bind(dn, password);
}

/** A connection whose bind the server answered: accepted, or `refused` with the server's answer (it is then anonymous). */
export interface BindOutcome {
  client: Client;
  refused: ResultCodeError | null;
}

/**
 * Opens a connection and binds as `dn` on it. Each URL is tried in order until one answers; a server's answer
 * (even "invalid credentials") is final and returned with the still open connection. When none answers the
 * result is DirectoryUnreachableError naming the last network failure (never the password).
 */
export async function connectAndTryBind(
  settings: ConnectionSettings,
  dn: string,
  password: string,
): Promise<BindOutcome> {
  // Checked here too so that such a bind does not even open a connection.
  refuseUnauthenticated(password);
  let lastError: unknown;
  for (const url of settings.urls) {
    const client = new Client({
      url,
      connectTimeout: settings.connectTimeoutMs,
      timeout: settings.operationTimeoutMs,
      tlsOptions: url.startsWith('ldaps://') ? tlsOptionsFor(url, settings) : undefined,
    });
    try {
      const open = async (): Promise<BindOutcome> => {
        if (settings.startTls && url.startsWith('ldap://')) await client.startTLS(tlsOptionsFor(url, settings));
        try {
          await simpleBind(client, dn, password);
          return { client, refused: null };
        } catch (err) {
          if (isDirectoryAnswer(err) && client.isConnected) return { client, refused: err };
          throw err;
        }
      };
      return await withDeadline(settings.connectTimeoutMs + 2 * settings.operationTimeoutMs, open(), () =>
        closeQuietly(client),
      );
    } catch (err) {
      closeQuietly(client);
      if (isDirectoryAnswer(err)) throw err;
      lastError = err;
      try {
        settings.onServerFailed?.(url, firstLine(err));
      } catch {
        /* an observer must not change the outcome */
      }
    }
  }
  throw new DirectoryUnreachableError(
    `${settings.urls.length} server(s) tried; last error: ${firstLine(lastError)}`,
    lastError,
  );
}

/** As connectAndTryBind, for a bind that must succeed: a refusal closes the connection and is thrown. */
export async function connectAndBind(settings: ConnectionSettings, dn: string, password: string): Promise<Client> {
  const { client, refused } = await connectAndTryBind(settings, dn, password);
  if (refused === null) return client;
  closeQuietly(client);
  throw refused;
}
