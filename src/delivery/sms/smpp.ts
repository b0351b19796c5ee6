// SMPP 3.4 to an SMS centre through the maintained npm `smpp` library: one bound transceiver session, opened at the
// first SMS and again after the link drops; submit_sm in GSM-7 where the text allows, else UCS-2 (Romanian
// diacritics); delivery receipts arrive as deliver_sm; enquire_link keeps the link checked. An SMSC that is down or
// throttling makes the outbox try again later; one that refuses the number makes it give up.
import { SmsSendFailure, type SmsGateway } from './gateway.ts';
import { isGsm7, pduText, smpp, type SmppPdu, type SmppSession } from './smpp-library.ts';

export interface SmppOptions {
  /** `smpp://host:port`, or `ssmpp://` for SMPP over TLS. */
  url: string;
  systemId: string;
  password: string;
  systemType: string;
  /** The sender: digits (a number, sent as international) or letters (an alphanumeric sender id). */
  sourceAddr: string;
  connectTimeoutMs: number;
  submitTimeoutMs: number;
  enquireLinkSeconds: number;
}

// SMPP 3.4 §5.1.3: statuses that say "not now" rather than "never".
const retriable = new Set([smpp.ESME_RTHROTTLED, smpp.ESME_RMSGQFUL, smpp.ESME_RSYSERR, 0x64 /* ESME_RX_T_APPN */]);
const receiptStates: Record<string, 'delivered' | 'failed'> = {
  DELIVRD: 'delivered',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  EXPIRED: 'failed',
  DELETED: 'failed',
};
// esm_class bits 2–5 = 0001: an SMSC delivery receipt (SMPP 3.4 §5.2.12).
const deliveryReceipt = 0x04;
const status = (code: number) => `smpp 0x${code.toString(16).padStart(4, '0')}`;

/** The message id and outcome a deliver_sm reports, when it is a delivery receipt. */
function receiptOf(pdu: SmppPdu): { id: string; outcome: 'delivered' | 'failed' } | undefined {
  if (((pdu.esm_class ?? 0) & 0x3c) !== deliveryReceipt) return undefined;
  const text = pduText(pdu.short_message) || pduText(pdu.message_payload);
  const id = pdu.receipted_message_id || /\bid:(\S+)/i.exec(text)?.[1];
  const outcome = receiptStates[/\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase() ?? ''];
  return id && outcome ? { id, outcome } : undefined;
}

export function createSmppGateway(o: SmppOptions): SmsGateway {
  let bound: Promise<SmppSession> | undefined;
  const listeners: Array<(providerId: string, outcome: 'delivered' | 'failed') => void> = [];

  function bind(): Promise<SmppSession> {
    bound ??= new Promise<SmppSession>((resolve, reject) => {
      const session = smpp.connect({ url: o.url, auto_enquire_link_period: o.enquireLinkSeconds * 1000 });
      const down = (reason: string) => {
        clearTimeout(timer);
        bound = undefined;
        reject(new SmsSendFailure(reason, false));
      };
      const timer = setTimeout(() => {
        down('smpp connect timeout');
        session.destroy();
      }, o.connectTimeoutMs);
      session.on('error', (err) => down((err as { code?: string }).code ?? 'smpp error'));
      session.on('close', () => down('smpp closed'));
      session.on('deliver_sm', (pdu) => {
        session.send(pdu.response());
        const receipt = receiptOf(pdu);
        if (receipt) for (const listener of listeners) listener(receipt.id, receipt.outcome);
      });
      session.on('connect', () => {
        const credentials = { system_id: o.systemId, password: o.password, system_type: o.systemType };
        session.bind_transceiver({ ...credentials, interface_version: 0x34 }, (pdu) => {
          clearTimeout(timer);
          if (pdu.command_status === smpp.ESME_ROK) return resolve(session);
          down(`bind refused (${status(pdu.command_status)})`);
          session.close();
        });
      });
    });
    return bound;
  }

  const alphanumericSender = /[^\d+]/.test(o.sourceAddr);
  return {
    kind: 'smpp',
    async send({ to, text }) {
      const session = await bind();
      const gsm = isGsm7(text);
      // 140 octets fit short_message: 160 GSM-7 characters, or 70 UCS-2 ones; longer goes in message_payload.
      const field = (gsm ? text.length <= 160 : text.length <= 70) ? 'short_message' : 'message_payload';
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          // No answer: the link is not trusted any more; the next SMS binds anew.
          reject(new SmsSendFailure('smpp submit timeout', false));
          session.destroy();
        }, o.submitTimeoutMs);
        const submit = {
          source_addr_ton: alphanumericSender ? 5 : 1,
          source_addr_npi: alphanumericSender ? 0 : 1,
          source_addr: o.sourceAddr.replace(/^\+/, ''),
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: to.replace(/^\+/, ''),
          registered_delivery: 1,
          data_coding: gsm ? 0x00 : 0x08,
          [field]: text,
        };
        session.submit_sm(submit, (pdu) => {
          clearTimeout(timer);
          if (pdu.command_status === smpp.ESME_ROK && pdu.message_id) return resolve(pdu.message_id);
          reject(new SmsSendFailure(status(pdu.command_status), !retriable.has(pdu.command_status)));
        });
      });
    },
    onReport(listener) {
      listeners.push(listener);
    },
    async close() {
      const open = bound;
      bound = undefined;
      const session = await open?.catch(() => undefined);
      if (session) await new Promise<void>((resolve) => session.close(() => resolve()));
    },
  };
}
