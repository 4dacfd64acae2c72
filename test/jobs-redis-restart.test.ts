import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api,
  expectedSegments,
  type JobsCluster,
  makeDocument,
  startJobsCluster,
  verifyJobAudio,
  waitFor,
  waitForStatus,
} from './jobs-harness.ts';
import type { ServiceProcess } from './support/processes.ts';

/** Redis with `appendonly yes` and `appendfsync always`, killed and restarted mid-job. */
describe('jobs survive a Redis restart (AOF)', () => {
  let cluster: JobsCluster;
  let gateway: ServiceProcess;

  before(async () => {
    cluster = await startJobsCluster({ appendOnly: true });
    gateway = await cluster.startGateway({ JOBS_WORKERS: '2' });
  });
  after(() => cluster?.stop());

  test('no accepted job is lost, and each completes exactly once', async () => {
    const documents = [makeDocument(3, 8, 41), makeDocument(3, 8, 42), makeDocument(3, 8, 43)];
    const ids: string[] = [];
    for (const document of documents) {
      const res = await api(cluster, gateway, 'tenant-a', 'POST', '/v1/jobs', {
        voice: 'alloy',
        chapters: document,
      });
      assert.equal(res.status, 202);
      ids.push(res.json.id);
    }
    await waitFor('the first job under way', async () => {
      const res = await api(cluster, gateway, 'tenant-a', 'GET', `/v1/jobs/${ids[0]}`);
      return res.json.progress.segments_done >= 3 ? true : undefined;
    });
    let done = 0;
    for (const id of ids)
      done += (await api(cluster, gateway, 'tenant-a', 'GET', `/v1/jobs/${id}`)).json.progress.segments_done;
    const total = documents.reduce((n, d) => n + expectedSegments(d).length, 0);
    assert.ok(done < total, `work remained when Redis went down (${done}/${total})`);
    await cluster.redis.restart();
    console.log(`Redis restarted with ${done}/${total} segments done`);

    // While Redis came back, the gateway may have answered 503; once back, it accepts again.
    const statuses: number[] = [];
    const late = await waitFor('a submission after the restart', async () => {
      const res = await api(cluster, gateway, 'tenant-a', 'POST', '/v1/jobs', {
        voice: 'alloy',
        input: 'Submitted after the restart.',
      });
      statuses.push(res.status);
      return res.status === 202 ? res : undefined;
    });
    assert.ok(
      statuses.every((s) => s === 202 || s === 503),
      `submissions got ${statuses.join(', ')}`,
    );
    ids.push(late.json.id);
    const expected = [...documents.map((d) => expectedSegments(d)), ['Submitted after the restart.']];

    for (const [i, id] of ids.entries()) {
      const done = await waitForStatus(cluster, () => gateway, 'tenant-a', id, ['completed', 'failed']);
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      const counts = await verifyJobAudio(cluster, gateway, 'tenant-a', id, expected[i]!);
      console.log(
        `job ${i + 1}: ${counts.segments} segments, lost ${counts.lost}, duplicated ${counts.duplicated}`,
      );
    }
    const listed = await api(cluster, gateway, 'tenant-a', 'GET', '/v1/jobs?limit=10');
    assert.deepEqual(
      listed.json.data.map((j: { id: string }) => j.id).sort(),
      [...ids].sort(),
      'every accepted job is still listed',
    );
  });
});
