// One typed error for every page-level failure; the app's error handler turns it into a page, once, at the edge.
import type { MessageId } from './messages.ts';

export class DemoError extends Error {
  readonly code: MessageId;
  readonly statusCode: number;
  /** An OAuth error code from Tessera, shown beside the message (never a secret). */
  readonly detail: string | undefined;
  constructor(code: MessageId, statusCode: number, detail?: string, options?: { cause?: unknown }) {
    super(code, options);
    this.code = code;
    this.statusCode = statusCode;
    this.detail = detail;
  }
}
