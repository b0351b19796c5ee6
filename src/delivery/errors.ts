// Typed delivery errors: callers switch on `code`, never on the message. No address, subject or body ever enters
// an error, so one can be logged or shown as it is.
export type DeliveryErrorCode =
  | 'delivery.header_injection'
  | 'delivery.invalid_recipient'
  | 'delivery.invalid_header'
  | 'delivery.invalid_mail'
  | 'delivery.unknown_template'
  | 'delivery.missing_parameter'
  | 'delivery.invalid_parameter';

export class DeliveryError extends Error {
  readonly code: DeliveryErrorCode;
  /** Which part of the mail or template was refused (`to`, `subject`, a header name, a parameter name). */
  readonly field: string | undefined;
  constructor(code: DeliveryErrorCode, field?: string) {
    super(field ? `${code} (${field})` : code);
    this.name = 'DeliveryError';
    this.code = code;
    this.field = field;
  }
}
