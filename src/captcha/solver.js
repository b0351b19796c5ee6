// Finds the ALTCHA number in the browser with Web Crypto and puts the solution in the form; progress is announced
// in an aria-live region, so a screen reader user hears what happens. No picture, no sound, no puzzle.
(async () => {
  for (const box of document.querySelectorAll('[data-captcha]')) {
    const status = box.querySelector('[data-captcha-status]');
    const input = box.querySelector('input[name="captcha"]');
    const say = (text) => { if (status) status.textContent = text; };
    const challenge = JSON.parse(box.getAttribute('data-captcha'));
    say(box.getAttribute('data-working'));
    const encoder = new TextEncoder();
    for (let number = 0; number <= challenge.maxnumber; number++) {
      const digest = await crypto.subtle.digest('SHA-256', encoder.encode(challenge.salt + number));
      const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
      if (hex === challenge.challenge) {
        input.value = btoa(JSON.stringify({ algorithm: challenge.algorithm, challenge: challenge.challenge, number, salt: challenge.salt, signature: challenge.signature }));
        say(box.getAttribute('data-done'));
        return;
      }
    }
    say(box.getAttribute('data-failed'));
  }
})();
