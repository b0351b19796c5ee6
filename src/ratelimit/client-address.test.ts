// Which address a request is counted under, when proxies (trusted or not) and forged headers are involved (T9).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddress, sourceBucket, trustedProxyList } from './index.ts';

const proxies = ['10.0.0.0/8', '192.0.2.10', '2001:db8:ffff::/48'];

describe('client address', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    assert.equal(clientAddress('198.51.100.7', '1.2.3.4', proxies), '198.51.100.7');
    assert.equal(clientAddress('198.51.100.7', '1.2.3.4', []), '198.51.100.7');
    assert.equal(clientAddress('2001:db8:1::5', '1.2.3.4', proxies), '2001:db8:1::5');
  });

  it('takes the right-most hop that is not a trusted proxy, so a spoofed left part is never believed', () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the address it really saw.
    assert.equal(clientAddress('10.1.2.3', '1.2.3.4, 198.51.100.7', proxies), '198.51.100.7');
    // Two proxies of ours in a row (CIDR and single address), then the client.
    assert.equal(clientAddress('192.0.2.10', '1.2.3.4, 198.51.100.7, 10.9.9.9', proxies), '198.51.100.7');
    // Several header lines are one list.
    assert.equal(clientAddress('10.1.2.3', ['1.2.3.4', '198.51.100.7'], proxies), '198.51.100.7');
    // Every hop is ours: the left-most is the best we know.
    assert.equal(clientAddress('10.1.2.3', '10.4.4.4', proxies), '10.4.4.4');
  });

  it('stops at junk: the last address known, never the junk nor anything left of it (CVE-2024-47070)', () => {
    for (const junk of [
      'not-an-ip',
      '',
      ' ',
      'unknown',
      '1.2.3.4.5',
      '999.1.1.1',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, meant to stay text.
      '${jndi:ldap://x}',
      '<script>',
      '1.2.3.4/8',
      'fe80::1%eth0',
      'x'.repeat(5000),
    ]) {
      assert.equal(
        clientAddress('10.1.2.3', `1.2.3.4, ${junk}`, proxies),
        '10.1.2.3',
        JSON.stringify(junk.slice(0, 20)),
      );
      assert.equal(clientAddress('10.1.2.3', `${junk}, 198.51.100.7`, proxies), '198.51.100.7');
    }
    assert.equal(clientAddress('10.1.2.3', `1.2.3.4, junk, 10.8.8.8`, proxies), '10.8.8.8');
    assert.equal(clientAddress('10.1.2.3', ',,,', proxies), '10.1.2.3');
  });

  it('reads IPv6, IPv4-mapped, bracketed and ported forms', () => {
    assert.equal(clientAddress('::ffff:10.1.2.3', '2001:DB8:1::7', proxies), '2001:db8:1::7');
    assert.equal(clientAddress('2001:db8:ffff:1::2', '[2001:db8:2::9]:4711', proxies), '2001:db8:2::9');
    assert.equal(clientAddress('10.1.2.3', '198.51.100.7:51000', proxies), '198.51.100.7');
    assert.equal(clientAddress('::ffff:198.51.100.7', undefined, proxies), '198.51.100.7');
    assert.equal(clientAddress('2001:db8:ffff::1', '::ffff:203.0.113.5', proxies), '203.0.113.5');
  });

  it('has no address when the peer has none, and refuses a bad proxy setting by name', () => {
    assert.equal(clientAddress(undefined, '1.2.3.4', proxies), undefined);
    for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.0/8/1', '2001:db8::/129', '10.0.0.0/-1', '']) {
      assert.throws(() => trustedProxyList([bad]), { code: 'ratelimit.invalid_proxy' }, bad);
    }
  });

  it('counts IPv6 per /64 and IPv4 per address', () => {
    assert.equal(sourceBucket('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(sourceBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(sourceBucket('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(sourceBucket('198.51.100.7'), '198.51.100.7');
  });
});
