// oidc-provider reads its signing keys once, when it is constructed. A changed key set (a rotation, on this node or
// another) therefore needs a new Provider, swapped in whole: `provider` below is what the rest of Tessera holds, and it
// answers as whichever Provider is current. A request already inside the old one finishes there (it holds that
// instance); interactions, sessions and grants live in the database through the shared adapter, so the new instance
// continues what the old one began, and the cookies are signed with the same keys.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

export interface LiveProvider {
  /** Always the current Provider; event listeners, middleware and settings given to it apply to every later one. */
  provider: Provider;
  /** Makes `next` current, with the listeners, middleware and settings the previous one was given. */
  swap(next: Provider): void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

// A method of the Provider (interactionDetails, createContext…) must run with the real instance as `this`: its
// private state is keyed by it. The models (Grant, Session, Client…) are getters and are returned as they are.
function isMethod(target: object, prop: PropertyKey): boolean {
  for (let o = Object.getPrototypeOf(target); o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, prop);
    if (d) return 'value' in d && typeof d.value === 'function';
  }
  return false;
}

export function createLiveProvider(first: Provider): LiveProvider {
  let current = first;
  const given: Array<(p: Provider) => void> = [];
  const handlers = new WeakMap<Provider, Handler>();
  const remember = (apply: (p: Provider) => void) => {
    given.push(apply);
    apply(current);
  };
  const provider: Provider = new Proxy({} as Provider, {
    get(_target, prop) {
      switch (prop) {
        case 'on':
        case 'once':
        case 'addListener':
          return (event: string, listener: (...args: unknown[]) => void) => {
            remember((p) => (p as unknown as Record<string, (e: string, l: unknown) => void>)[prop](event, listener));
            return provider;
          };
        case 'use':
          return (middleware: Parameters<Provider['use']>[0]) => {
            remember((p) => p.use(middleware));
            return provider;
          };
        case 'callback':
          // Koa's callback() composes the middleware of one instance; each request goes to the current one's.
          return () => (req: IncomingMessage, res: ServerResponse) => {
            let handler = handlers.get(current);
            if (!handler) {
              handler = current.callback() as Handler;
              handlers.set(current, handler);
            }
            return handler(req, res);
          };
      }
      const value = Reflect.get(current, prop, current);
      return typeof value === 'function' && isMethod(current, prop) ? value.bind(current) : value;
    },
    set(_target, prop, value) {
      remember((p) => Reflect.set(p, prop, value, p));
      return true;
    },
  });
  return {
    provider,
    swap(next) {
      for (const apply of given) apply(next);
      current = next;
    },
  };
}
