import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';

export interface S3Server {
  /** `http://127.0.0.1:<port>`: a path-style S3 endpoint. */
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver's one account; any other access key id gets 403 InvalidAccessKeyId. */
  accessKeyId: string;
  secretAccessKey: string;
  /** GETs an object straight from the bucket with its own signed request, as a CDN origin fetch would. */
  getObject(name: string): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * An S3-compatible server (s3rver) on a free loopback port with one empty bucket and its own
 * temporary folder. It speaks S3's REST API and XML errors; it checks a V4 request's access key
 * id but not its signature, which gateway/audio-store/audio-store.test.ts checks against AWS's
 * published example instead.
 */
export async function startS3Server(bucket = 'speechgate-audio'): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'sg-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  let stopped = false;
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
  const aws = new AwsClient({ ...credentials, service: 's3' });
  return {
    endpoint,
    bucket,
    region: credentials.region,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    getObject: (name) => aws.fetch(`${endpoint}/${bucket}/${name}`),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
