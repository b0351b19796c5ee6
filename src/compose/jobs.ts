// Housekeeping and jobs every node runs: the purges (expired OIDC rows, old attempt counters, captchas, VPN
// challenges never answered, ended VPN sessions, sign-in flows, OTP registrations never finished, SAML requests,
// logouts and participants past any session's life) and the directory sync.
import type { Logger } from 'pino';
import { purgeExpired } from '../oidc/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import type { Captcha } from '../captcha/index.ts';
import type { VpnSessions } from '../radius/index.ts';
import type { OtpService } from '../otp/index.ts';
import type { Foundation } from './foundation.ts';

export interface JobParts {
  workforce: WorkforceService | undefined;
  /** What the web routes keep that expires: captcha solutions, SAML requests, logouts and participations. */
  web: { captcha: Captcha; saml: { purge(): Promise<unknown> } };
  /** Each challenge never answered is recorded once, by the node whose purge removed it. */
  purgeChallenges(): Promise<void>;
  vpnSessions: VpnSessions;
  otp: Pick<OtpService, 'forgetExpiredEnrolments'>;
  signIn: { purge(): Promise<unknown> };
  registration?: { purge(): Promise<unknown> };
  /** Trips to social providers that expired a day ago (when a provider is configured). */
  social?: { purge(): Promise<unknown> };
}

/**
 * `f.periodicJobs: false` leaves out the timers (purges, directory sync) in the other workers of a node: they are already
 * safe to run on several nodes at once, so one run per node is enough and N runs would only cost N times the queries.
 * `housekeep()` stays callable everywhere.
 */
export function composeJobs(f: Foundation, p: JobParts) {
  const { config, clock, logger, periodicJobs: periodic } = f;
  const housekeep = async () => {
    const sessionRetentionMs = (config.radius?.sessionRetentionDays ?? 90) * 86_400_000;
    await Promise.all([
      purgeExpired(f.oidcStore, clock),
      f.limiter.purge(24 * 3600 * 1000),
      p.web.captcha.purge(),
      p.purgeChallenges(),
      p.vpnSessions.purge(clock.now() - sessionRetentionMs),
      p.signIn.purge(),
      p.otp.forgetExpiredEnrolments(),
      p.web.saml.purge(),
      p.registration?.purge(),
      p.social?.purge(),
    ]);
  };
  const housekeeping = periodic
    ? setInterval(() => {
        housekeep().catch((err) => logger.warn({ err: (err as Error).message }, 'housekeeping failed'));
      }, 15 * 60_000)
    : undefined;
  housekeeping?.unref();
  const sync = directorySync(periodic ? p.workforce : undefined, config.directorySyncMinutes * 60_000, logger);
  return {
    housekeep,
    /** Starts the jobs that wait for a listening node (the directory sync). */
    start: sync.start,
    stop() {
      sync.stop();
      clearInterval(housekeeping);
    },
  };
}

// Every node runs the directory sync; it is idempotent, so several nodes doing it costs only directory reads.
function directorySync(workforce: WorkforceService | undefined, intervalMs: number, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (!workforce) return;
    timer = setTimeout(async () => {
      try {
        const result = await workforce.sync();
        logger.info(result, 'directory sync done');
      } catch (err) {
        logger.warn({ code: (err as { code?: string }).code }, 'directory sync stopped: the directory did not answer');
      }
      schedule();
    }, intervalMs);
    timer.unref();
  };
  return { start: schedule, stop: () => clearTimeout(timer) };
}
