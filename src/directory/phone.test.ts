// Mobile numbers as directories hold them, read as E.164 by libphonenumber's rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toE164 } from './phone.ts';

describe('mobile numbers from the directory', () => {
  it('reads national, international and spaced forms as one E.164 number', () => {
    for (const written of ['0721 234 567', '0721234567', '+40 721 234 567', '+40 (721) 234-567', '0040721234567'])
      assert.equal(toE164(written, 'RO'), '+40721234567', written);
    assert.equal(toE164('+44 7911 123456', 'RO'), '+447911123456', 'a number with its country code keeps it');
  });

  it('gives no number for an empty, invalid or (without a region) national one, so no SMS goes astray', () => {
    for (const written of [null, '', '   ', '12', 'call me', '+40 000 000 000'])
      assert.equal(toE164(written, 'RO'), null, String(written));
    assert.equal(toE164('0721 234 567', undefined), null);
  });
});
