// A tagged template that escapes every interpolated value, so user data (an e-mail, a name) can never become markup.
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => entities[c]!);
}

type Part = Html | string | number | undefined | false | readonly Part[];

const render = (part: Part): string =>
  part instanceof Html
    ? part.value
    : Array.isArray(part)
      ? part.map(render).join('')
      : part === undefined || part === false
        ? ''
        : escapeHtml(String(part));

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));
}
