// Every listener of a start (HTTP, RADIUS, RadSec, the demo apps) names its setting when its port is taken, instead
// of ending the start with a socket's stack trace.
import { portInUse } from '../config.ts';
import { RadiusPortError } from '../radius/index.ts';

/** Runs `listen`; a port another process holds becomes one line naming `key` and its environment variable. */
export async function listenNamed<T>(
  key: string,
  port: number,
  host: string | undefined,
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(key, port, host);
    throw err;
  }
}

/** RADIUS names which of its ports was taken (authentication, accounting, RadSec); the setting is under `radius.`. */
export async function listenRadius<T>(listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    if (err instanceof RadiusPortError) throw portInUse(`radius.${err.key}`, err.port, err.host);
    throw err;
  }
}
