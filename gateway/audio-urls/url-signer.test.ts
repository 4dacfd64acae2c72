import assert from 'node:assert/strict';
import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { createAudioUrlSigner, parseSigningKeys } from './url-signer.ts';

const path = `/v1/audio/${'a'.repeat(64)}.mp3`;
const params = (url: string) => new URL(url, 'http://x').searchParams;

test('a signed URL verifies until it expires; tampering is refused', () => {
  let now = 1_800_000_000_000;
  const signer = createAudioUrlSigner({
    keys: [{ id: 'k1', secret: 's'.repeat(32) }],
    ttlSeconds: 60,
    now: () => now,
  });
  const { url, expiresAt } = signer.sign(path);
  const q = params(url);
  assert.equal(expiresAt.getTime(), now + 60_000);
  assert.equal(signer.verify(path, q.get('exp')!, q.get('sig')!), 'ok');
  assert.equal(signer.verify(path.replace('.mp3', '.wav'), q.get('exp')!, q.get('sig')!), 'bad_signature');
  assert.equal(signer.verify(path, String(Number(q.get('exp')) + 1000), q.get('sig')!), 'bad_signature');
  assert.equal(signer.verify(path, q.get('exp')!, `${q.get('sig')!.slice(0, -2)}AA`), 'bad_signature');
  assert.equal(signer.verify(path, q.get('exp')!, 'k9.abc'), 'bad_signature');
  assert.equal(signer.verify(path, undefined, undefined), 'bad_signature');
  now += 61_000;
  assert.equal(signer.verify(path, q.get('exp')!, q.get('sig')!), 'expired');
});

test('during a rotation both keys verify and the new one signs', () => {
  const old = createAudioUrlSigner({ keys: [{ id: 'old', secret: 'o'.repeat(32) }], ttlSeconds: 60 });
  const rotated = createAudioUrlSigner({
    keys: parseSigningKeys(`new:${'n'.repeat(32)},old:${'o'.repeat(32)}`),
    ttlSeconds: 60,
  });
  const fromOld = params(old.sign(path).url);
  assert.equal(rotated.verify(path, fromOld.get('exp')!, fromOld.get('sig')!), 'ok');
  assert.match(params(rotated.sign(path).url).get('sig')!, /^new\./);
});

test('CloudFront canned-policy parameters verify with the key pair', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = createAudioUrlSigner({
    keys: [{ id: 'k1', secret: 's'.repeat(32) }],
    ttlSeconds: 60,
    baseUrl: 'https://cdn.example.com/',
    cloudfront: {
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    },
  });
  const { url } = signer.sign(path);
  assert.ok(url.startsWith(`https://cdn.example.com${path}?exp=`));
  const q = new URL(url).searchParams;
  assert.equal(q.get('Key-Pair-Id'), 'K2JCJMDEHXQW5F');
  const resource = url.slice(0, url.indexOf('&Expires='));
  const policy = JSON.stringify({
    Statement: [
      { Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': Number(q.get('Expires')) } } },
    ],
  });
  const signature = q.get('Signature')!.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/');
  assert.ok(createVerify('RSA-SHA1').update(policy).verify(createPublicKey(privateKey), signature, 'base64'));
});
