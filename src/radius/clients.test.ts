import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClientTable, parseRadiusConfig } from './clients.ts';
import { splitText } from './messages.ts';

const secret = (c: string) => c.repeat(16);

describe('NAS table', () => {
  const table = createClientTable(
    parseRadiusConfig({
      clients: [
        { name: 'campus', address: '10.0.0.0/8', secret: secret('a') },
        { name: 'vpn-1', address: '10.1.2.3', secret: secret('b') },
        { name: 'v6-site', address: '2001:db8::/48', secret: secret('c') },
      ],
    }).clients,
  );

  it('picks the most specific client, so one NAS can have its own secret inside a shared network', () => {
    assert.equal(table.find('10.1.2.3')?.name, 'vpn-1');
    assert.equal(table.find('10.1.2.3')?.secret.toString(), secret('b'));
    assert.equal(table.find('10.9.9.9')?.name, 'campus');
    assert.equal(table.find('2001:db8:0:ffff::1')?.name, 'v6-site');
  });

  it('matches IPv4 peers seen through a dual-stack socket, and nothing outside the networks', () => {
    assert.equal(table.find('::ffff:10.1.2.3')?.name, 'vpn-1');
    assert.equal(table.find('11.0.0.1'), undefined);
    assert.equal(table.find('2001:db9::1'), undefined);
    assert.equal(table.find('not-an-address'), undefined);
  });

  it('defaults to requiring Message-Authenticator (BlastRADIUS)', () => {
    assert.equal(table.find('10.9.9.9')?.requireMessageAuthenticator, true);
  });
});

describe('Reply-Message splitting (RFC 2865 §5.18)', () => {
  it('splits long text into ≤253-octet chunks without cutting a UTF-8 character', () => {
    const text = `${'ü'.repeat(300)}end`;
    const chunks = splitText(text);
    assert.ok(chunks.length >= 3);
    for (const chunk of chunks) {
      assert.ok(chunk.length <= 253);
      assert.doesNotMatch(chunk.toString('utf8'), /\uFFFD/);
    }
    assert.equal(Buffer.concat(chunks).toString('utf8'), text);
  });
});
