// The browser-side defences every response carries (checklist T49), set by @fastify/helmet on the raw response in
// onRequest, so they are also on what oidc-provider answers after reply.hijack() (oidc/mount.ts). One policy for
// every page: Tessera's own pages have no inline script or style, and the one script (the reset captcha's solver)
// is a file of this origin.
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

export function contentSecurityPolicy(): Record<string, string[]> {
  return {
    'default-src': ["'none'"],
    // The captcha solver (/static/captcha.js): Web Crypto in the page, no Worker, no blob:, no WebAssembly. The inline
    // script of oidc-provider's form_post page is allowed by its own sha256, which oidc-provider adds to this list.
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    // The OTP registration QR code is an SVG in a data: URL (an <img> runs no script).
    'img-src': ["'self'", 'data:'],
    'base-uri': ["'none'"],
    // Clickjacking (ASVS V3.4.6): no page may be framed, not even by a page of the same site.
    'frame-ancestors': ["'none'"],
    // No form-action: Chromium applies it to the redirects after a form POST too, and the sign-in POST ends in a
    // redirect to the app's redirect_uri on its own origin, which no fixed list can name.
  };
}

export async function registerSecurityHeaders(app: FastifyInstance, o: { issuer: string }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy() },
    xFrameOptions: { action: 'deny' },
    // Interaction, reset and e-mail links carry ids and tokens in their paths and queries: tell no one where people came from.
    referrerPolicy: { policy: 'no-referrer' },
    // Only when the issuer is https: HSTS over http is ignored, and would pin a laptop's localhost to https.
    strictTransportSecurity: o.issuer.startsWith('https:')
      ? { maxAge: 365 * 24 * 3600, includeSubDomains: true }
      : false,
    // Not sent: an app that signs in through a popup reads window.opener when the popup comes back, and
    // Cross-Origin-Opener-Policy on Tessera's pages would cut that link. Framing is what frame-ancestors forbids.
    crossOriginOpenerPolicy: false,
  });
  // A dynamic page may show a secret (the OTP key and its QR code) or who is signed in: never stored by a browser or
  // proxy (ASVS V8.2.1). Static files set their own Cache-Control.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (/^text\/html/i.test(String(reply.getHeader('content-type') ?? '')) && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    return payload;
  });
}
