import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { signWebhook, verifyWebhook } from './webhook-signature.ts';

const secret = 'whsec_0123456789abcdef';

test('webhook signatures are HMAC-SHA256 over "timestamp.body", checked with a replay window', () => {
  const body = '{"id":"evt_1","type":"job.completed"}';
  const header = signWebhook(secret, 1_800_000_000, body);
  const expected = createHmac('sha256', secret).update(`1800000000.${body}`).digest('hex');
  assert.equal(header, `t=1800000000,v1=${expected}`);
  assert.equal(verifyWebhook(header, body, secret, { now: 1_800_000_100 }), true);
  assert.equal(verifyWebhook(header, body, secret, { now: 1_800_000_301 }), false, 'too old');
  assert.equal(verifyWebhook(header, `${body} `, secret, { now: 1_800_000_000 }), false, 'body changed');
  assert.equal(verifyWebhook(header, body, `${secret}x`, { now: 1_800_000_000 }), false, 'other secret');
  assert.equal(verifyWebhook(`t=1800000001,v1=${expected}`, body, secret, { now: 1_800_000_000 }), false);
  assert.equal(
    verifyWebhook(`t=1800000000,v1=bad,v1=${expected}`, body, secret, { now: 1_800_000_000 }),
    true,
  );
  assert.equal(verifyWebhook(undefined, body, secret), false);
});
