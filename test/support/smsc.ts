// An SMS centre for tests: the npm `smpp` library's server side, speaking SMPP 3.4 to Tessera's SMPP gateway. It
// keeps what it received (number, text, data_coding), answers as told (accept, throttle, refuse the number) and
// sends delivery receipts as deliver_sm, as a real SMSC does.
import { smpp, pduText, type SmppSession } from '../../src/delivery/sms/smpp-library.ts';
import { freePort } from './tessera.ts';

export interface ReceivedSms {
  to: string;
  from: string;
  text: string;
  dataCoding: number;
  messageId: string;
}

export type SmscMode = 'accept' | 'throttle' | 'invalid_number';

export interface Smsc {
  url: string;
  port: number;
  received: ReceivedSms[];
  /** How the next submit_sm are answered. */
  mode: SmscMode;
  /** Binds seen (successful or not), enquire_links answered. */
  binds: number;
  enquireLinks: number;
  /** Sends a delivery receipt for a received message on the session that submitted it. */
  receipt(messageId: string, stat: 'DELIVRD' | 'UNDELIV'): void;
  /** The first received SMS matching, waiting up to `timeoutMs` for it. */
  waitFor(match: (sms: ReceivedSms) => boolean, timeoutMs?: number): Promise<ReceivedSms>;
  close(): Promise<void>;
}

export async function startSmsc(options: { systemId?: string; password?: string; port?: number } = {}): Promise<Smsc> {
  const systemId = options.systemId ?? 'tessera';
  const password = options.password ?? 'secret1';
  const port = options.port ?? (await freePort());
  const sessions = new Set<SmppSession>();
  const submittedOn = new Map<string, SmppSession>();
  let nextId = 1;

  const smsc: Smsc = {
    url: `smpp://127.0.0.1:${port}`,
    port,
    received: [],
    mode: 'accept',
    binds: 0,
    enquireLinks: 0,
    receipt(messageId, stat) {
      const session = submittedOn.get(messageId);
      if (!session) throw new Error(`no message ${messageId}`);
      session.deliver_sm({
        esm_class: 0x04,
        short_message: `id:${messageId} sub:001 dlvrd:001 submit date:2612052300 done date:2612052300 stat:${stat} err:000 text:`,
      });
    },
    async waitFor(match, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const found = smsc.received.find(match);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the SMS centre received no matching SMS in ${timeoutMs} ms`);
    },
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };

  const server = smpp.createServer({}, (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu) => {
      smsc.binds++;
      const ok = pdu.system_id === systemId && pdu.password === password;
      session.send(pdu.response(ok ? {} : { command_status: smpp.ESME_RBINDFAIL }));
      if (!ok) session.close();
    });
    session.on('enquire_link', (pdu) => {
      smsc.enquireLinks++;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu) => {
      if (smsc.mode === 'throttle') return session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      if (smsc.mode === 'invalid_number') return session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      const messageId = `M${nextId++}`;
      submittedOn.set(messageId, session);
      smsc.received.push({
        to: pdu.destination_addr ?? '',
        from: pdu.source_addr ?? '',
        text: pduText(pdu.short_message) || pduText(pdu.message_payload),
        dataCoding: pdu.data_coding ?? 0,
        messageId,
      });
      session.send(pdu.response({ message_id: messageId }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return smsc;
}
