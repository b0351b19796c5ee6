// The npm `smpp` library (SMPP 3.4/5.0, client and server) ships no types: this is the part of it Tessera uses,
// typed once. Loaded through require because it is CommonJS.
import { createRequire } from 'node:module';

export interface SmppPdu {
  command: string;
  command_status: number;
  sequence_number: number;
  message_id?: string;
  esm_class?: number;
  data_coding?: number;
  source_addr?: string;
  destination_addr?: string;
  /** Decoded by the library: `{ message }` with the text in the PDU's data_coding. */
  short_message?: { message?: string | Buffer } | string | Buffer;
  message_payload?: { message?: string | Buffer } | string | Buffer;
  receipted_message_id?: string;
  system_id?: string;
  password?: string;
  response(options?: Record<string, unknown>): SmppPdu;
}

export interface SmppSession {
  on(event: string, listener: (arg: SmppPdu & Error) => void): void;
  send(pdu: SmppPdu, callback?: (response: SmppPdu) => void): void;
  bind_transceiver(options: Record<string, unknown>, callback: (response: SmppPdu) => void): void;
  submit_sm(options: Record<string, unknown>, callback: (response: SmppPdu) => void): void;
  deliver_sm(options: Record<string, unknown>, callback?: (response: SmppPdu) => void): void;
  pause(): void;
  resume(): void;
  close(callback?: () => void): void;
  destroy(callback?: () => void): void;
}

export interface SmppServer {
  listen(port: number, host: string, callback: () => void): void;
  address(): { port: number } | string | null;
  close(callback?: () => void): void;
}

interface SmppLibrary {
  connect(options: { url: string; auto_enquire_link_period?: number; connectTimeout?: number }): SmppSession;
  createServer(options: Record<string, unknown>, listener: (session: SmppSession) => void): SmppServer;
  encodings: { ASCII: { match(text: string): boolean } };
  ESME_ROK: number;
  ESME_RBINDFAIL: number;
  ESME_RTHROTTLED: number;
  ESME_RMSGQFUL: number;
  ESME_RSYSERR: number;
  ESME_RINVDSTADR: number;
}

export const smpp = createRequire(import.meta.url)('smpp') as SmppLibrary;

/** Whether the text fits GSM 03.38's basic alphabet (GSM-7); Romanian ă, â, î, ș, ț need UCS-2. */
export const isGsm7 = (text: string) => smpp.encodings.ASCII.match(text);

/** A short_message or message_payload as text, as the library decoded it. */
export function pduText(field: SmppPdu['short_message']): string {
  const value = typeof field === 'object' && field !== null && !Buffer.isBuffer(field) ? field.message : field;
  return value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
}
