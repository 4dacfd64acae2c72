import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { createJobKeys } from '../gateway/jobs/redis-keys.ts';
import {
  api,
  expectedSegments,
  type JobsCluster,
  makeDocument,
  metric,
  startJobsCluster,
  verifyJobAudio,
  waitFor,
  waitForStatus,
} from './jobs-harness.ts';
import type { ServiceProcess } from './support/processes.ts';

const keys = createJobKeys();

/**
 * Workers die: one gateway only accepts jobs (JOBS_WORKER=false) while worker gateways are
 * SIGKILLed or restarted under it, mid-job.
 */
describe('jobs survive a killed worker and a restarted gateway', () => {
  let cluster: JobsCluster;
  let front: ServiceProcess;
  let worker: ServiceProcess;

  const consumerOf = (gateway: ServiceProcess) =>
    String(gateway.logs.find((l) => l.msg === 'job worker started')?.consumer);
  const heldBy = async (consumer: string) =>
    ((await cluster.client.call('XPENDING', keys.tasks, keys.group, '-', '+', 100, consumer)) as unknown[])
      .length;
  const progress = async (id: string) =>
    (await api(cluster, front, 'tenant-a', 'GET', `/v1/jobs/${id}`)).json.progress.segments_done as number;

  before(async () => {
    cluster = await startJobsCluster();
    front = await cluster.startGateway({ JOBS_WORKER: 'false' });
  });
  after(() => cluster?.stop());

  test('SIGKILL of a worker mid-task: its tasks are redelivered and the job completes exactly once', async () => {
    worker = await cluster.startGateway({ JOBS_WORKERS: '2' });
    const document = makeDocument(6, 6, 21);
    const expected = expectedSegments(document);
    const created = await api(cluster, front, 'tenant-a', 'POST', '/v1/jobs', {
      voice: 'alloy',
      chapters: document,
    });
    assert.equal(created.status, 202);
    const id = created.json.id;
    const consumer = consumerOf(worker);
    // Kill it while it holds a task (a synthesis in flight), a few segments in.
    await waitFor('the worker mid-task', async () =>
      (await progress(id)) >= 4 && (await heldBy(consumer)) > 0 ? true : undefined,
    );
    const exited = once(worker.child, 'exit');
    worker.child.kill('SIGKILL');
    await exited;
    const held = await heldBy(consumer);
    assert.ok(held > 0, 'the killed worker held a task');
    const doneAtKill = await progress(id);
    assert.ok(doneAtKill < expected.length, 'the job was mid-way');

    worker = await cluster.startGateway({ JOBS_WORKERS: '2' });
    const done = await waitForStatus(cluster, () => front, 'tenant-a', id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(await heldBy(consumer), 0, "the dead worker's tasks were taken over");
    assert.ok((await metric(worker.url, 'gateway_jobs_tasks_redelivered_total')) >= held);
    const counts = await verifyJobAudio(cluster, front, 'tenant-a', id, expected);
    console.log(
      `SIGKILL at ${doneAtKill}/${expected.length} segments holding ${held} tasks: lost ${counts.lost}, duplicated ${counts.duplicated}`,
    );
  });

  test('gateway restart mid-job: unfinished tasks are handed back and the job completes', async () => {
    const document = makeDocument(10, 8, 33);
    const expected = expectedSegments(document);
    const created = await api(cluster, front, 'tenant-a', 'POST', '/v1/jobs', {
      voice: 'alloy',
      chapters: document,
    });
    assert.equal(created.status, 202);
    const id = created.json.id;
    await waitFor('a few segments', async () => ((await progress(id)) >= 4 ? true : undefined));
    await worker.stop('SIGTERM');
    const doneAtStop = await progress(id);
    assert.ok(doneAtStop < expected.length, 'the job was mid-way');
    const job = await api(cluster, front, 'tenant-a', 'GET', `/v1/jobs/${id}`);
    assert.equal(job.json.status, 'running');

    worker = await cluster.startGateway({ JOBS_WORKERS: '2' });
    const done = await waitForStatus(cluster, () => front, 'tenant-a', id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const counts = await verifyJobAudio(cluster, front, 'tenant-a', id, expected);
    console.log(
      `restart at ${doneAtStop}/${expected.length} segments: lost ${counts.lost}, duplicated ${counts.duplicated}`,
    );
  });
});
