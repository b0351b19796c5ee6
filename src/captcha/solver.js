// The browser side of the reset captcha (ALTCHA proof of work). Plain JavaScript, no build, no dependency: it finds
// the number whose SHA-256 (Web Crypto) matches the challenge and puts the solution in the form's hidden input.
// Nothing to see, hear or drag: progress is announced in the form's aria-live status ("Checking that you are a
// person…", then "Done"), focus is never moved, and a submit pressed early waits for the check instead of failing.
// Markup it expects (the words come from the page, so they are translated there):
//   <fieldset data-captcha='{challenge JSON}' data-working="…" data-done="…" data-failed="…">
//     <p data-captcha-status role="status" aria-live="polite"></p><input type="hidden" name="captcha"></fieldset>
(() => {
  'use strict';
  const batch = 200; // hashes in flight at once: fast, yet the page stays responsive

  const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

  async function solve(challenge) {
    const encoder = new TextEncoder();
    for (let start = 0; start <= challenge.maxnumber; start += batch) {
      const numbers = [];
      for (let n = start; n < start + batch && n <= challenge.maxnumber; n++) numbers.push(n);
      const digests = await Promise.all(numbers.map((n) => crypto.subtle.digest('SHA-256', encoder.encode(challenge.salt + n))));
      const found = digests.findIndex((d) => hex(d) === challenge.challenge);
      if (found >= 0) return numbers[found];
    }
    return null;
  }

  function start(box) {
    const status = box.querySelector('[data-captcha-status]');
    const input = box.querySelector('input[name="captcha"]');
    const form = box.closest('form');
    const say = (text) => { if (status && text) status.textContent = text; };
    let solved = false;
    let submitWhenSolved = false;
    // Enter pressed before the check is done: hold the submit and send it once the solution is in.
    if (form) {
      form.addEventListener('submit', (event) => {
        if (solved) return;
        event.preventDefault();
        submitWhenSolved = true;
      });
    }
    box.setAttribute('aria-busy', 'true');
    say(box.getAttribute('data-working'));
    let challenge;
    try {
      challenge = JSON.parse(box.getAttribute('data-captcha'));
    } catch {
      challenge = null;
    }
    const work = challenge && globalThis.crypto && crypto.subtle ? solve(challenge) : Promise.resolve(null);
    work.catch(() => null).then((number) => {
      box.removeAttribute('aria-busy');
      if (number === null) {
        say(box.getAttribute('data-failed'));
        return;
      }
      input.value = btoa(JSON.stringify({
        algorithm: challenge.algorithm, challenge: challenge.challenge, number, salt: challenge.salt, signature: challenge.signature,
      }));
      solved = true;
      say(box.getAttribute('data-done'));
      if (submitWhenSolved && form) form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  const run = () => document.querySelectorAll('[data-captcha]').forEach(start);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
