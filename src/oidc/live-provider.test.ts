// The Provider swapped in whole when the signing keys change: what Tessera gave the first one (listeners,
// middleware, settings) applies to the next, and requests go to whichever is current.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import { createLiveProvider } from './live-provider.ts';

const providerWith = (kid: string) => {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return new Provider('http://127.0.0.1', { jwks: { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' } as never] } });
};

describe('live provider', () => {
  it('answers with the current Provider, keeping the listeners, middleware and settings given before the swap', async () => {
    const first = providerWith('first');
    const live = createLiveProvider(first);
    const { provider } = live;
    const heard: string[] = [];
    provider.on('server_error', () => heard.push('server_error'));
    provider.use(async (ctx, next) => {
      await next();
      ctx.set('x-tessera', 'yes');
    });
    provider.proxy = true;
    const server = createServer(provider.callback() as never);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const jwks = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/jwks`);
      assert.equal(response.headers.get('x-tessera'), 'yes', 'the middleware runs');
      return ((await response.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    };
    try {
      assert.deepEqual(await jwks(), ['first']);
      const next = providerWith('next');
      live.swap(next);
      assert.deepEqual(await jwks(), ['next'], 'requests go to the new Provider');
      assert.equal(next.proxy, true, 'the setting was given to the new Provider');
      next.emit('server_error', {}, new Error('x'));
      assert.deepEqual(heard, ['server_error'], 'the listener was given to the new Provider');
      // Models and methods are the current instance's, with `this` bound to it.
      const grant = new provider.Grant({ accountId: 'a', clientId: 'c' });
      assert.ok(grant instanceof next.Grant);
      assert.equal(provider.cookieName('session'), next.cookieName('session'));
      assert.equal(typeof provider.interactionDetails, 'function');
    } finally {
      server.close();
    }
  });
});
