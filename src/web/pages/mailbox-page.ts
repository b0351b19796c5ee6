import { html, layout } from './html.ts';
import { formatDateTime, t } from '../../i18n/index.ts';

export interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: number;
}

// Links in the plain-text body become clickable, so a newcomer can confirm straight from here.
function linkify(text: string) {
  return text.split(/(https?:\/\/[^\s<>"]+)/g).map((part, i) => (i % 2 ? html`<a href="${part}">${part}</a>` : part));
}

export function mailboxPage(entries: MailboxEntry[]): string {
  return layout({
    title: t('mailbox.title'),
    wide: true,
    body: html`<h1>${t('mailbox.title')}</h1><p>${t('mailbox.intro')}</p>
${
  entries.length === 0
    ? html`<p>${t('mailbox.empty')}</p>`
    : entries.map(
        (m) => html`<article aria-labelledby="m-${m.id}">
<h2 id="m-${m.id}">${m.subject}</h2><p class="hint">${t('mailbox.to', { to: m.to, at: formatDateTime(m.createdAt) })}</p>
<pre class="mail">${linkify(m.text)}</pre></article>`,
      )
}`,
  });
}
