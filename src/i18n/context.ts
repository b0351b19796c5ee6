// The language of the request being answered. The web layer sets it once per request (web/locale.ts), so every page,
// form error and mail rendered while answering speaks it without each of the many page functions passing it along.
// Kept per asynchronous context, never in a shared variable: two requests (or two nodes in one process) never mix.
import { AsyncLocalStorage } from 'node:async_hooks';

const requestLocale = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it starts) in `locale`. */
export function inLocale<T>(locale: string, fn: () => T): T {
  return requestLocale.run(locale, fn);
}

/** The language of the request being answered, if any (none on the RADIUS port, in the CLI, in background work). */
export function currentLocale(): string | undefined {
  return requestLocale.getStore();
}
