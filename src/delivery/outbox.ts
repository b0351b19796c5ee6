// Outgoing mail goes through an outbox table: stored first, sent by a worker, retried with back-off while the
// relay is down, so a mail is never lost. Rows are claimed atomically, so two nodes never send one mail twice.
import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.ts';
import { checkMail, maskAddress, type MailCategory, type OutgoingMail } from './message.ts';
import type { OutboxRow, OutboxStore } from './store.ts';
import { createPoller } from './poller.ts';

export interface StoredMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  category: MailCategory;
  status: 'pending' | 'sent' | 'failed';
  createdAt: number;
  sentAt: number | null;
}

export interface OutboxOptions {
  store: OutboxStore;
  clock: Clock;
  /** `smtp://…` or `smtps://…` of the relay, or null to keep mail in the outbox for the local mailbox page. */
  transport: string | null;
  /** The From header, e.g. `Tessera <no-reply@example.com>`; its domain also names the Message-IDs. */
  from: string;
  pollMs: number;
  /** Attempts before a mail is marked `failed` for good. */
  maxAttempts: number;
  logger: Logger;
}

export interface Outbox {
  /** Stores the mail and returns its outbox id; the worker (or `deliverDue`) sends it. */
  enqueue(mail: OutgoingMail): Promise<string>;
  /** Sends what is due now and returns how many mails this call sent. */
  deliverDue(): Promise<number>;
  start(): void;
  /** Stops polling, waits for a delivery in progress and releases the relay connection. */
  stop(): Promise<void>;
  /** The latest mails, newest first, for the local mailbox page. */
  recent(filter?: { to?: string; limit?: number }): Promise<StoredMail[]>;
}

// Every SMTP step times out well inside the claim, so a slow relay cannot let a second node claim the same mail
// while the first is still sending it (connect 10 s + greeting 10 s + idle socket 30 s < 2 min).
const claimMs = 2 * 60_000;
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
const batchSize = 20;
// One call sends at most this many batches, so a long queue cannot hold `stop()` for ever.
const maxBatchesPerCall = 10;
const firstRetryMs = 2_000;
const maxBackoffMs = 5 * 60_000;
const defaultRecent = 20;
const maxRecent = 200;

/** Exponential back-off: 2 s, 4 s, 8 s … capped at five minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(maxBackoffMs, firstRetryMs * 2 ** Math.max(0, attempts - 1));
}

// What may be stored and logged about a failure: the relay's reply code (451, 550) or the network error code
// (ECONNREFUSED). Never the message text: a relay may echo the recipient or the content back.
function failureOf(err: unknown): { reason: string; permanent: boolean } {
  const { responseCode, code, originalCode } = (err ?? {}) as {
    responseCode?: unknown;
    code?: unknown;
    originalCode?: unknown;
  };
  if (typeof responseCode === 'number')
    return { reason: String(responseCode), permanent: responseCode >= 500 && responseCode < 600 };
  // nodemailer wraps socket errors as ESOCKET and keeps the operating system's code (ECONNREFUSED) beside it.
  const reason = [originalCode, code].find((c): c is string => typeof c === 'string' && /^[A-Z_]{1,32}$/.test(c));
  return { reason: reason ?? 'error', permanent: false };
}

function messageIdDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'tessera.invalid';
}

const toStoredMail = (r: OutboxRow): StoredMail => ({
  id: r.id,
  to: r.to_address,
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  category: r.category,
  status: r.status,
  createdAt: Number(r.created_at),
  sentAt: r.sent_at === null ? null : Number(r.sent_at),
});

export function createOutbox(o: OutboxOptions): Outbox {
  const { store } = o;
  const transporter: Transporter | null = o.transport
    ? nodemailer.createTransport({ url: o.transport, ...smtpTimeouts })
    : null;
  const idDomain = messageIdDomain(o.from);

  async function deliverOne(row: OutboxRow): Promise<boolean> {
    const attempts = row.attempts + 1;
    const log = { outbox: row.id, category: row.category, to: maskAddress(row.to_address), attempts };
    try {
      await transporter!.sendMail({
        from: o.from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body ?? undefined,
        headers: JSON.parse(row.headers) as Record<string, string>,
        // The same id on every attempt: a receiver that got a mail whose reply was lost can drop the repeat.
        messageId: `<${row.id}@${idDomain}>`,
        // RFC 5322 §3.6.1: the Date is when the message was ready to go, i.e. when it was stored.
        date: new Date(Number(row.created_at)),
      });
    } catch (err) {
      const { reason, permanent } = failureOf(err);
      const failed = permanent || attempts >= o.maxAttempts;
      await store.markFailedAttempt(row.id, {
        attempts,
        failed,
        lastError: reason,
        nextAttemptAt: o.clock.now() + retryDelayMs(attempts),
      });
      if (failed)
        o.logger.error(
          { ...log, reason },
          permanent ? 'mail refused for good by the relay' : 'mail failed after the last attempt',
        );
      else o.logger.warn({ ...log, reason }, 'mail will be retried');
      return false;
    }
    await store.markSent(row.id, attempts, o.clock.now());
    o.logger.info(log, 'mail sent');
    return true;
  }

  async function deliverDue(): Promise<number> {
    if (!transporter) return 0;
    let sent = 0;
    for (let batch = 0; batch < maxBatchesPerCall; batch++) {
      const now = o.clock.now();
      const due = await store.due(now, batchSize);
      for (const row of due) {
        // Only the node whose UPDATE changed the row sends it.
        if (!(await store.claim(row.id, now, now + claimMs))) continue;
        if (await deliverOne(row)) sent++;
      }
      if (due.length < batchSize) break;
    }
    return sent;
  }

  const poller = createPoller(deliverDue, o.pollMs, o.logger);

  return {
    async enqueue(mail) {
      const headers = checkMail(mail);
      const id = randomUUID();
      const now = o.clock.now();
      const category = mail.category ?? 'transactional';
      await store.insert({
        id,
        category,
        to_address: mail.to,
        subject: mail.subject,
        text_body: mail.text,
        html_body: mail.html ?? null,
        headers: JSON.stringify(headers),
        created_at: now,
        next_attempt_at: Math.max(now, mail.notBefore ?? now),
        // Mailbox mode: nothing to send, the mail is done once it is stored and readable on the local page.
        status: transporter ? 'pending' : 'sent',
        sent_at: transporter ? null : now,
      });
      if (transporter) poller.wake();
      else o.logger.info({ outbox: id, category, to: maskAddress(mail.to) }, 'mail kept in the local mailbox');
      return id;
    },
    deliverDue,
    start() {
      if (transporter) poller.start();
    },
    async stop() {
      await poller.stop();
      transporter?.close();
    },
    async recent(filter = {}) {
      const limit = Number.isSafeInteger(filter.limit)
        ? Math.min(maxRecent, Math.max(1, filter.limit!))
        : defaultRecent;
      return (await store.recent({ to: typeof filter.to === 'string' ? filter.to : undefined, limit })).map(
        toStoredMail,
      );
    },
  };
}
