import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkWebhookUrl,
  isPrivateAddress,
  resolveWebhookTarget,
  WebhookTargetError,
} from './webhook-target.ts';

type Lookup = NonNullable<Parameters<typeof resolveWebhookTarget>[1]['lookup']>;
const answering = (...addresses: string[]) =>
  (async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))) as unknown as Lookup;

describe('webhook targets: no private, loopback or link-local addresses unless allowed', () => {
  test('classifies addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:a9fe:a9fe',
    ]) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  test('refuses bad URLs and private literals at submission', () => {
    const refuse = (url: string) =>
      assert.throws(() => checkWebhookUrl(url, { allowPrivate: false }), WebhookTargetError, url);
    refuse('ftp://example.com/hook');
    refuse('not a url');
    refuse('https://user:pass@example.com/hook');
    refuse('http://127.0.0.1:8080/hook');
    refuse('http://[::1]/hook');
    refuse('http://[::ffff:127.0.0.1]/hook');
    refuse('http://169.254.169.254/latest/meta-data');
    refuse('http://localhost/hook');
    assert.equal(
      checkWebhookUrl('https://hooks.example.com/x', { allowPrivate: false }).hostname,
      'hooks.example.com',
    );
    assert.equal(checkWebhookUrl('http://127.0.0.1:9/x', { allowPrivate: true }).port, '9');
  });

  test('refuses a host when any of its addresses is private (a public name pointing inside)', async () => {
    await assert.rejects(
      resolveWebhookTarget('https://hooks.example.com/x', {
        allowPrivate: false,
        lookup: answering('93.184.216.34', '10.0.0.7'),
      }),
      /non-public address \(10\.0\.0\.7\)/,
    );
    await assert.rejects(
      resolveWebhookTarget('https://rebind.example.com/x', {
        allowPrivate: false,
        lookup: answering('127.0.0.1'),
      }),
      WebhookTargetError,
    );
  });

  test('pins the connection to the checked address, so a second DNS answer cannot redirect it', async () => {
    let calls = 0;
    const rebinding = (async () => {
      calls++;
      return [{ address: calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    }) as unknown as Lookup;
    const target = await resolveWebhookTarget('https://hooks.example.com/x', {
      allowPrivate: false,
      lookup: rebinding,
    });
    assert.equal(target.address, '93.184.216.34');
    const pinned = await new Promise<unknown>((resolve) =>
      target.lookup('hooks.example.com', { all: true }, (_err, address) => resolve(address)),
    );
    assert.deepEqual(pinned, [{ address: '93.184.216.34', family: 4 }]);
    const single = await new Promise<unknown>((resolve) =>
      target.lookup('hooks.example.com', {}, (_err, address) => resolve(address)),
    );
    assert.equal(single, '93.184.216.34');
    assert.equal(calls, 1, 'the connection does not resolve again');
  });
});
