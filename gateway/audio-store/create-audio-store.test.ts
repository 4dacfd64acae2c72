import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../shared/config.ts';
import { loadGatewayConfig, s3Settings } from '../config.ts';
import { createAudioStore } from './create-audio-store.ts';

const base = { INTERNAL_AUTH_SECRET: 'x'.repeat(32) };

describe('AUDIO_STORE configuration', () => {
  test('s3 without a bucket or a key pair is refused at start, naming what is missing', () => {
    assert.throws(
      () => loadGatewayConfig({ ...base, AUDIO_STORE: 's3' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.ok(err.issues.some((issue) => issue.startsWith('S3_BUCKET: AUDIO_STORE=s3 needs S3_BUCKET')));
        assert.ok(err.issues.some((issue) => issue.startsWith('S3_ACCESS_KEY_ID: AUDIO_STORE=s3 needs')));
        return true;
      },
    );
  });

  test('s3 takes the AWS_* credentials and region when the S3_* ones are unset', async () => {
    const config = loadGatewayConfig({
      ...base,
      AUDIO_STORE: 's3',
      S3_BUCKET: 'clips',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    assert.equal(config.S3_PREFIX, 'audio/');
    assert.equal(config.S3_FORCE_PATH_STYLE, false);
    assert.deepEqual(s3Settings(config), {
      bucket: 'clips',
      region: 'eu-central-1',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
    });
    // The S3_* settings win over the AWS_* ones.
    const own = loadGatewayConfig({
      ...base,
      AUDIO_STORE: 's3',
      S3_BUCKET: 'clips',
      S3_REGION: 'us-west-2',
      S3_ACCESS_KEY_ID: 'AKIDS3',
      S3_SECRET_ACCESS_KEY: 's3-secret',
      S3_SESSION_TOKEN: 'tok',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    assert.deepEqual(s3Settings(own), {
      bucket: 'clips',
      region: 'us-west-2',
      accessKeyId: 'AKIDS3',
      secretAccessKey: 's3-secret',
      sessionToken: 'tok',
    });
    const store = createAudioStore(config, undefined);
    assert.equal(store.kind, 's3');
    await store.close();
  });

  test('auto is memory without REDIS_URL; redis without REDIS_URL is an error', async () => {
    const store = createAudioStore(loadGatewayConfig(base), undefined);
    assert.equal(store.kind, 'memory');
    await store.close();
    assert.throws(
      () => createAudioStore(loadGatewayConfig({ ...base, AUDIO_STORE: 'redis' }), undefined),
      /REDIS_URL/,
    );
  });
});
