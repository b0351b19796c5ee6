// One interface for every SMS gateway (as privacyIDEA keeps one per SMS provider): send a text to an E.164 number,
// get the gateway's id for it; delivery reports come back through `onReport` where the gateway gives them.

export interface SmsGateway {
  /** `http` or `smpp`: recorded with each message, so a report finds its message. */
  readonly kind: string;
  /** Hands the text to the gateway; resolves with the gateway's id for it, or rejects with an SmsSendFailure. */
  send(message: { to: string; text: string; reference: string }): Promise<string>;
  /** Called with a delivery report: the gateway's id and whether the phone got it. */
  onReport(listener: (providerId: string, outcome: 'delivered' | 'failed') => void): void;
  close(): Promise<void>;
}

/**
 * Why a gateway did not take a message, in words that may be stored and logged (a status name or number, never the
 * text or the number): `permanent` when sending it again cannot help (an invalid number, a refused account).
 */
export class SmsSendFailure extends Error {
  readonly reason: string;
  readonly permanent: boolean;
  constructor(reason: string, permanent: boolean) {
    super(`SMS not sent: ${reason}`);
    this.name = 'SmsSendFailure';
    this.reason = reason.slice(0, 64);
    this.permanent = permanent;
  }
}
