// HTML escaping for the HTML part of mails, owned by delivery: mail is built without the web layer, and the
// dependency must not point from a sender outwards to web/.
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
