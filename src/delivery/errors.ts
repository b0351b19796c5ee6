// Typed delivery errors: callers switch on `code`, never on the message. No address, subject or body ever enters
// an error, so one can be logged or shown as it is.
import { TesseraError } from '../errors/index.ts';

export type DeliveryErrorCode =
  | 'delivery.header_injection'
  | 'delivery.invalid_recipient'
  | 'delivery.invalid_header'
  | 'delivery.invalid_mail'
  | 'delivery.unknown_template'
  | 'delivery.missing_parameter'
  | 'delivery.invalid_parameter';

/** `field` says which part of the mail or template was refused (`to`, `subject`, a header name, a parameter name). */
export class DeliveryError extends TesseraError<DeliveryErrorCode> {
  constructor(code: DeliveryErrorCode, field?: string) {
    super(code, { field, message: field ? `${code} (${field})` : code });
    this.name = 'DeliveryError';
  }
}
