/** One mail in one language: `{name}` marks a parameter. */
export interface MailTemplate {
  subject: string;
  text: string;
  html: string;
}

/** Every mail of one language, by stable id (`account.verify_email`). */
export type MailCatalogue = Record<string, MailTemplate>;
