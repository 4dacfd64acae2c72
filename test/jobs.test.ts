import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, verifyWebhook } from '../gateway/jobs/webhook-signature.ts';
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

/**
 * Asynchronous jobs end to end: redis-server, a node and a gateway running its job workers, as
 * separate processes. Crash and restart cases are in jobs-crash and jobs-redis-restart.
 */
describe('jobs: long documents, asynchronously', () => {
  let cluster: JobsCluster;
  let gateway: ServiceProcess;
  const get = (tenant: string, route: string) => api(cluster, gateway, tenant, 'GET', route);
  const post = (tenant: string, body: unknown, headers: Record<string, string> = {}) =>
    api(cluster, gateway, tenant, 'POST', '/v1/jobs', body, headers);

  before(async () => {
    cluster = await startJobsCluster();
    gateway = await cluster.startGateway({
      JOBS_WORKERS: '2',
      JOBS_MAX_DOCUMENT_CHARACTERS: '8000',
      JOBS_MAX_CHAPTER_CHARACTERS: '1000',
      JOBS_LIMIT_OVERRIDES: JSON.stringify({
        'tenant-one-at-a-time': { jobs_in_flight: 1 },
        'tenant-small-day': { characters_per_day: 300 },
      }),
    });
  });
  after(() => cluster?.stop());

  test('a 20-chapter document completes with every segment exactly once, in order', async () => {
    const document = makeDocument(20, 2, 7);
    const expected = expectedSegments(document);
    const created = await post('tenant-a', { voice: 'alloy', chapters: document, response_format: 'wav' });
    assert.equal(created.status, 202);
    assert.equal(created.headers.get('location'), `/v1/jobs/${created.json.id}`);
    assert.match(created.json.id, /^job_[0-9a-f]{28}$/);
    assert.equal(created.json.status, 'queued');
    assert.equal(created.json.status_url, `/v1/jobs/${created.json.id}`);
    assert.equal(created.json.progress.segments_total, expected.length);
    assert.equal(created.json.progress.chapters_total, 20);
    assert.match(created.headers.get('ratelimit-policy') ?? '', /"jobs";q=10;qu="concurrent-requests"/);

    const done = await waitForStatus(cluster, () => gateway, 'tenant-a', created.json.id, [
      'completed',
      'failed',
    ]);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.progress.segments_done, expected.length);
    assert.equal(done.progress.chapters_done, 20);
    assert.ok(done.chapters.every((ch: { status: string; url: string }) => ch.status === 'ready' && ch.url));

    const counts = await verifyJobAudio(cluster, gateway, 'tenant-a', created.json.id, expected);
    console.log(
      `20 chapters: ${counts.segments} segments, lost ${counts.lost}, duplicated ${counts.duplicated}`,
    );
    assert.equal(counts.segments, expected.length);
    assert.equal(counts.compared, expected.length, 'every segment compared byte for byte');
    assert.equal(await metric(gateway.url, 'gateway_jobs_segments_synthesized_total'), expected.length);
    assert.equal(await metric(gateway.url, 'gateway_jobs_queue_depth{state="ready"}'), 0);
  });

  test('Idempotency-Key: same key and body give the same job; another body is a 409', async () => {
    const body = { voice: 'alloy', input: 'One short sentence. And a second one.' };
    const key = { 'idempotency-key': 'order-4711' };
    const first = await post('tenant-b', body, key);
    assert.equal(first.status, 202);
    const again = await post('tenant-b', body, key);
    assert.equal(again.status, 202);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await post('tenant-b', { ...body, input: 'Something else entirely.' }, key);
    assert.equal(other.status, 409);
    assert.equal(other.headers.get('content-type'), 'application/problem+json');
    assert.equal(other.json.code, 'conflict');
    // Keys are per tenant: another tenant's same key is its own job.
    const elsewhere = await post('tenant-c', body, key);
    assert.equal(elsewhere.status, 202);
    assert.notEqual(elsewhere.json.id, first.json.id);
    await waitForStatus(cluster, () => gateway, 'tenant-b', first.json.id, ['completed']);
    await waitForStatus(cluster, () => gateway, 'tenant-c', elsewhere.json.id, ['completed']);
  });

  test("a tenant sees only its own jobs: another tenant's id is a 404; the list pages", async () => {
    const ids: string[] = [];
    for (const input of ['First job.', 'Second job.', 'Third job.']) {
      const res = await post('tenant-list', { voice: 'alloy', input });
      assert.equal(res.status, 202);
      ids.push(res.json.id);
    }
    for (const route of [`/v1/jobs/${ids[0]}`, `/v1/jobs/${ids[0]}/manifest`]) {
      const res = await get('tenant-intruder', route);
      assert.equal(res.status, 404);
      assert.equal(res.json.code, 'not_found');
    }
    const cancel = await api(cluster, gateway, 'tenant-intruder', 'DELETE', `/v1/jobs/${ids[0]}`);
    assert.equal(cancel.status, 404);
    assert.equal((await get('tenant-intruder', '/v1/jobs')).json.data.length, 0);

    const page1 = await get('tenant-list', '/v1/jobs?limit=2');
    assert.equal(page1.status, 200);
    assert.deepEqual(
      page1.json.data.map((j: { id: string }) => j.id),
      [ids[2], ids[1]],
    );
    assert.equal(page1.json.has_more, true);
    const page2 = await get('tenant-list', `/v1/jobs?limit=2&after=${page1.json.next_cursor}`);
    assert.deepEqual(
      page2.json.data.map((j: { id: string }) => j.id),
      [ids[0]],
    );
    assert.equal(page2.json.has_more, false);
    assert.equal((await get('tenant-list', '/v1/jobs?limit=500')).status, 400);
    for (const id of ids) await waitForStatus(cluster, () => gateway, 'tenant-list', id, ['completed']);
  });

  test('limits: 413 past the document size, 429 past jobs in flight or the daily characters', async () => {
    const tooLarge = await post('tenant-a', { voice: 'alloy', input: 'word '.repeat(1700) });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.json.code, 'payload_too_large');
    assert.equal(tooLarge.headers.get('content-type'), 'application/problem+json');

    const first = await post('tenant-one-at-a-time', { voice: 'alloy', chapters: makeDocument(2, 3) });
    assert.equal(first.status, 202);
    const second = await post('tenant-one-at-a-time', { voice: 'alloy', input: 'Too soon.' });
    assert.equal(second.status, 429);
    assert.equal(second.json.code, 'rate_limit_exceeded');
    assert.equal(second.headers.get('retry-after'), '30');
    assert.equal(
      second.headers.get('ratelimit-policy'),
      '"jobs";q=1;qu="concurrent-requests", "job-characters";q=2000000;w=86400;speechgate-unit="characters"',
    );
    assert.match(second.headers.get('ratelimit') ?? '', /^"jobs";r=0, "job-characters";r=\d+;t=\d+$/);
    await waitForStatus(cluster, () => gateway, 'tenant-one-at-a-time', first.json.id, ['completed']);
    const third = await post('tenant-one-at-a-time', { voice: 'alloy', input: 'Now it fits.' });
    assert.equal(third.status, 202);

    const sentence = 'A sentence of some fifty characters, more or less.';
    // 200 characters each (the spaces between sentences are not spoken, so not counted).
    const day1 = await post('tenant-small-day', { voice: 'alloy', input: Array(4).fill(sentence).join(' ') });
    assert.equal(day1.status, 202);
    const day2 = await post('tenant-small-day', { voice: 'alloy', input: Array(4).fill(sentence).join(' ') });
    assert.equal(day2.status, 429);
    assert.match(day2.headers.get('ratelimit') ?? '', /"job-characters";r=\d+;t=\d+/);
    assert.ok(Number(day2.headers.get('retry-after')) > 0);
    const overQuota = await post('tenant-small-day', { voice: 'alloy', input: sentence.repeat(7) });
    assert.equal(overQuota.status, 413);

    const longChapter = await post('tenant-a', {
      voice: 'alloy',
      chapters: [{ text: 'Some words here. '.repeat(80) }],
    });
    assert.equal(longChapter.status, 413);
    assert.equal(longChapter.json.error.param, 'chapters.0.text');

    const badVoice = await post('tenant-a', { voice: 'no-such-voice', input: 'Hello.' });
    assert.equal(badVoice.status, 400);
    assert.equal(badVoice.json.code, 'voice_not_found');
    const both = await post('tenant-a', { voice: 'alloy', input: 'x', chapters: [{ text: 'y' }] });
    assert.equal(both.status, 400);
    assert.equal(both.json.error.param, 'input');
  });

  test('cancel stops further synthesis', async () => {
    // Plain text past JOBS_MAX_CHAPTER_CHARACTERS: accepted, split into parts.
    const created = await post('tenant-cancel', { voice: 'alloy', input: makeDocument(1, 60, 3)[0]!.text });
    assert.equal(created.status, 202);
    assert.ok(created.json.progress.chapters_total >= 3, 'split into parts');
    const id = created.json.id;
    await waitFor('a few segments', async () => {
      const res = await get('tenant-cancel', `/v1/jobs/${id}`);
      return res.json.progress.segments_done >= 3 ? true : undefined;
    });
    const cancelled = await api(cluster, gateway, 'tenant-cancel', 'DELETE', `/v1/jobs/${id}`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.json.status, 'cancelled');
    const atCancel = await metric(cluster.node.url, 'tts_requests_total{status="200"}');
    const doneAtCancel = cancelled.json.progress.segments_done;
    // Segments already on a node (at most JOBS_WORKERS) finish; nothing new starts.
    await sleep(1_500);
    const settled = await metric(cluster.node.url, 'tts_requests_total{status="200"}');
    assert.ok(settled - atCancel <= 2, `${settled - atCancel} syntheses after cancel`);
    await sleep(1_500);
    assert.equal(await metric(cluster.node.url, 'tts_requests_total{status="200"}'), settled);
    const after = await get('tenant-cancel', `/v1/jobs/${id}`);
    assert.equal(after.json.status, 'cancelled');
    assert.equal(after.json.progress.segments_done, doneAtCancel);
    assert.ok(doneAtCancel < created.json.progress.segments_total);
    assert.equal((await api(cluster, gateway, 'tenant-cancel', 'DELETE', `/v1/jobs/${id}`)).status, 200);

    const finished = await post('tenant-cancel', { voice: 'alloy', input: 'Done before the cancel.' });
    await waitForStatus(cluster, () => gateway, 'tenant-cancel', finished.json.id, ['completed']);
    const late = await api(cluster, gateway, 'tenant-cancel', 'DELETE', `/v1/jobs/${finished.json.id}`);
    assert.equal(late.status, 409);
    assert.equal(late.json.code, 'conflict');
  });

  test('the webhook arrives once, validly signed, and is retried after a 500', async () => {
    const received: { status: number; body: string; headers: IncomingMessage['headers'] }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const status = received.length === 0 ? 500 : 200;
        received.push({ status, body, headers: req.headers });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const created = await post('tenant-hooks', {
        voice: 'alloy',
        chapters: makeDocument(2, 2, 11),
        webhook_url: `http://127.0.0.1:${port}/hooks/speech`,
      });
      assert.equal(created.status, 202);
      await waitFor('two webhook deliveries', async () => (received.length >= 2 ? true : undefined));
      await sleep(1_500);
      assert.equal(received.length, 2, 'one failed delivery, one retry, nothing after the 2xx');
      for (const delivery of received) {
        const header = delivery.headers[SIGNATURE_HEADER] as string;
        assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
        assert.ok(verifyWebhook(header, delivery.body, cluster.webhookSecret), 'signature verifies');
        assert.ok(!verifyWebhook(header, `${delivery.body} `, cluster.webhookSecret), 'tampered body fails');
        assert.ok(
          !verifyWebhook(header, delivery.body, 'whsec_some_other_secret_value'),
          'wrong secret fails',
        );
      }
      assert.equal(received[0]!.headers[EVENT_ID_HEADER], received[1]!.headers[EVENT_ID_HEADER]);
      const event = JSON.parse(received[1]!.body);
      assert.equal(event.type, 'job.completed');
      assert.equal(event.data.id, created.json.id);
      assert.equal(event.data.status, 'completed');
      assert.equal(event.data.chapters.length, 2);
      const job = await get('tenant-hooks', `/v1/jobs/${created.json.id}`);
      assert.deepEqual(job.json.webhook, {
        url: `http://127.0.0.1:${port}/hooks/speech`,
        status: 'delivered',
        attempts: 2,
      });
      assert.equal(
        await metric(gateway.url, 'gateway_jobs_webhook_deliveries_total{outcome="delivered"}'),
        1,
      );
      assert.equal(await metric(gateway.url, 'gateway_jobs_webhook_deliveries_total{outcome="failed"}'), 1);
    } finally {
      receiver.close();
    }
  });
});
