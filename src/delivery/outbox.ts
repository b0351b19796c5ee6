// Outgoing mail goes through an outbox table: stored first, sent by a worker, retried with back-off while the
// relay is down, so a mail is never lost. Rows are claimed atomically, so two nodes never send one mail twice.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Database } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  category?: 'transactional' | 'marketing';
  headers?: Record<string, string>;
  /** Not sent before this time (ms): campaigns spread their mail out. */
  notBefore?: number;
}

export interface StoredMail { id: string; to: string; subject: string; text: string; html: string | null; status: string; createdAt: number; sentAt: number | null }

export class DeliveryError extends Error {
  readonly code: 'delivery.header_injection' | 'delivery.invalid_recipient';
  constructor(code: DeliveryError['code']) {
    super(code);
    this.code = code;
  }
}

export interface OutboxOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** `smtp://…` of the relay, or null to keep mail in the outbox for the local mailbox page (demo). */
  transport: string | null;
  from: string;
  pollMs: number;
  maxAttempts: number;
  logger: Logger;
}

const claimMs = 60_000;
const maxBackoffMs = 5 * 60_000;
const lineBreak = /[\r\n]/;
const mask = (address: string) => address.replace(/^(.).*(@.*)$/, '$1***$2');

export function createOutbox(o: OutboxOptions) {
  const transporter: Transporter | null = o.transport ? nodemailer.createTransport(o.transport) : null;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<number> | undefined;

  async function deliverOne(row: { id: string; to_address: string; subject: string; text_body: string; html_body: string | null; headers: string; attempts: number; created_at: number }): Promise<boolean> {
    try {
      await transporter!.sendMail({
        from: o.from, to: row.to_address, subject: row.subject, text: row.text_body, html: row.html_body ?? undefined,
        headers: JSON.parse(row.headers), messageId: `<${row.id}@tessera>`, date: new Date(row.created_at),
      });
      await o.db.updateTable('outbox').set({ status: 'sent', sent_at: o.clock.now(), attempts: row.attempts + 1, last_error: null })
        .where('id', '=', row.id).execute();
      o.logger.info({ outbox: row.id, to: mask(row.to_address) }, 'mail sent');
      return true;
    } catch (err) {
      const attempts = row.attempts + 1;
      const failed = attempts >= o.maxAttempts;
      // The relay's reply code (e.g. 451) says most; a network error has only its code (ECONNREFUSED). No message text:
      // a relay may echo the recipient or the content back.
      const { responseCode, code } = err as { code?: string; responseCode?: number };
      const reason = String(responseCode ?? code ?? 'error');
      await o.db.updateTable('outbox').set({
        attempts, status: failed ? 'failed' : 'pending', last_error: reason, locked_until: 0,
        next_attempt_at: o.clock.now() + Math.min(maxBackoffMs, 1000 * 2 ** attempts),
      }).where('id', '=', row.id).execute();
      (failed ? o.logger.error.bind(o.logger) : o.logger.warn.bind(o.logger))({ outbox: row.id, to: mask(row.to_address), attempts, reason }, failed ? 'mail failed for good' : 'mail will be retried');
      return false;
    }
  }

  async function deliverDue(): Promise<number> {
    if (!transporter) return 0;
    const now = o.clock.now();
    const due = await o.db.selectFrom('outbox').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', now)
      .where('locked_until', '<', now).orderBy('created_at').limit(20).execute();
    let sent = 0;
    for (const row of due) {
      // Claim: only the node whose UPDATE changed the row sends it.
      const claim = await o.db.updateTable('outbox').set({ locked_until: now + claimMs })
        .where('id', '=', row.id).where('status', '=', 'pending').where('locked_until', '<', now).executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) continue;
      if (await deliverOne(row)) sent++;
    }
    return sent;
  }

  const poll = () => {
    inFlight = deliverDue().catch((err) => { o.logger.error({ err }, 'outbox poll failed'); return 0; });
    void inFlight.finally(() => { if (timer !== undefined) timer = setTimeout(poll, o.pollMs); });
  };

  return {
    async enqueue(mail: OutgoingMail): Promise<string> {
      const headers = mail.headers ?? {};
      // A line break in a header would let input add headers or recipients (header injection).
      if ([mail.to, mail.subject, ...Object.keys(headers), ...Object.values(headers)].some((v) => lineBreak.test(v))) throw new DeliveryError('delivery.header_injection');
      if (!/^[^\s@<>,;]+@[^\s@<>,;]+$/.test(mail.to)) throw new DeliveryError('delivery.invalid_recipient');
      const id = randomUUID();
      const now = o.clock.now();
      await o.db.insertInto('outbox').values({
        id, category: mail.category ?? 'transactional', to_address: mail.to, subject: mail.subject, text_body: mail.text,
        html_body: mail.html ?? null, headers: JSON.stringify(headers), status: transporter ? 'pending' : 'sent', attempts: 0,
        next_attempt_at: Math.max(now, mail.notBefore ?? now), locked_until: 0, last_error: null, created_at: now, sent_at: transporter ? null : now,
      }).execute();
      if (timer !== undefined) { clearTimeout(timer); poll(); }
      return id;
    },
    deliverDue,
    start() {
      if (timer !== undefined || !transporter) return;
      timer = setTimeout(poll, 0);
    },
    async stop() {
      const pending = timer;
      timer = undefined;
      clearTimeout(pending);
      await inFlight;
      transporter?.close();
    },
    async recent(filter: { to?: string; limit?: number } = {}): Promise<StoredMail[]> {
      let query = o.db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').limit(filter.limit ?? 20);
      if (filter.to) query = query.where('to_address', '=', filter.to);
      return (await query.execute()).map((r) => ({ id: r.id, to: r.to_address, subject: r.subject, text: r.text_body, html: r.html_body, status: r.status, createdAt: r.created_at, sentAt: r.sent_at }));
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
