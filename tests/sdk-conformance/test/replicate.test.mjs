// Replicate's official JavaScript SDK (`replicate`) against the emulator: only baseUrl differs from production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Replicate, { validateWebhook } from 'replicate';
import { emulatorUrl, keys } from '../lib/env.mjs';
import { assertShape } from '../lib/shape.mjs';
import { startListener } from '../lib/listener.mjs';

const baseUrl = `${emulatorUrl}/replicate/v1`;
const replicate = new Replicate({ auth: keys.replicate, baseUrl });
const version = 'a'.repeat(64);

// index.d.ts Prediction (the fields without '?' are promised on every prediction).
const predictionShape = {
  id: 'string', status: 'string', model: 'string', version: 'string', input: 'object', source: 'string',
  data_removed: 'boolean', created_at: 'date', urls: 'object', logs: '?string|null', error: '?any',
  started_at: '?date|null', completed_at: '?date|null', metrics: '?object', webhook: '?string|null',
};
const trainingShape = {
  id: 'string', status: 'string', model: 'string', version: 'string', input: 'object', source: 'string',
  created_at: 'date', urls: 'object', logs: '?string|null', started_at: '?date|null', completed_at: '?date|null',
};
const modelShape = {
  url: 'string', owner: 'string', name: 'string', visibility: 'string', is_official: 'boolean', run_count: 'integer',
  description: '?string|null', latest_version: '?object|null',
};

test('accounts.current returns the Account the typings promise', async () => {
  const account = await replicate.accounts.current();
  assertShape(account, { type: 'string', username: 'string', name: 'string' }, 'Account');
  assert.ok(['user', 'organization'].includes(account.type), `type ${account.type}`);
});

test('hardware.list returns {sku, name} items', async () => {
  const hardware = await replicate.hardware.list();
  assert.ok(Array.isArray(hardware) && hardware.length > 0, 'a non-empty array');
  for (const h of hardware) assertShape(h, { sku: 'string', name: 'string' }, 'Hardware');
});

test('webhooks.default.secret.get returns a whsec_ key', async () => {
  const secret = await replicate.webhooks.default.secret.get();
  assert.match(secret.key, /^whsec_[A-Za-z0-9+/=]+$/);
});

test('a wrong token is an ApiError with the 401 response', async () => {
  const bad = new Replicate({ auth: 'r8_wrong', baseUrl });
  await assert.rejects(bad.accounts.current(), (err) => {
    assert.equal(err.name, 'ApiError');
    assert.equal(err.response.status, 401);
    return true;
  });
});

test('predictions.create by model, then wait until succeeded', async () => {
  const created = await replicate.predictions.create({ model: 'black-forest-labs/flux-schnell', input: { prompt: 'a red fox', output_format: 'png' } });
  assertShape(created, predictionShape, 'created Prediction');
  assert.equal(created.status, 'starting');
  assert.equal(created.model, 'black-forest-labs/flux-schnell');
  assertShape(created.urls, { get: 'string', cancel: 'string' }, 'Prediction.urls');
  const done = await replicate.wait(created, { interval: 100 });
  assertShape(done, predictionShape, 'finished Prediction');
  assert.equal(done.status, 'succeeded');
  assert.ok(Array.isArray(done.output) && done.output.length === 1, `output ${JSON.stringify(done.output)}`);
  assertShape(done.metrics, { predict_time: 'number', total_time: '?number' }, 'Prediction.metrics');
  const fetched = await replicate.predictions.get(created.id);
  assert.equal(fetched.id, created.id);
  assert.equal(fetched.status, 'succeeded');
});

test('predictions.create by version with wait sends Prefer: wait and returns the finished prediction', async () => {
  const done = await replicate.predictions.create({ version, input: { prompt: 'hello' }, wait: 10 });
  assertShape(done, predictionShape, 'Prediction');
  assert.equal(done.status, 'succeeded');
  assert.equal(done.version, version);
});

test('run with a model reference returns the output URLs, whose bytes are a PNG', async () => {
  // The SDK wraps only https: (and data:) outputs in FileOutput; the emulator serves http on loopback, so run()
  // hands back the plain URL string (a documented deviation, docs/emulator.md).
  const output = await replicate.run('black-forest-labs/flux-schnell', { input: { prompt: 'a cat', output_format: 'png' } });
  assert.ok(Array.isArray(output) && output.length === 1, `output ${String(output)}`);
  const url = String(output[0]);
  assert.ok(url.startsWith(`${emulatorUrl}/files/`), `output URL ${url}`);
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
});

test('run with owner/name:version polls until the text output', async () => {
  const output = await replicate.run(`meta/llama-3-8b:${version}`, { input: { prompt: 'hi' }, wait: { mode: 'poll', interval: 100 } });
  assert.ok(Array.isArray(output) && output.every((t) => typeof t === 'string'), `output ${JSON.stringify(output)}`);
});

test('run of a failing prediction rejects with the model error', async () => {
  await assert.rejects(
    replicate.run('black-forest-labs/flux-schnell', { input: { prompt: 'emulator:failed' }, wait: { mode: 'poll', interval: 100 } }),
    /Prediction failed/);
});

test('predictions.cancel returns the canceled prediction', async () => {
  const created = await replicate.predictions.create({ model: 'black-forest-labs/flux-schnell', input: { prompt: 'slow' } });
  const canceled = await replicate.predictions.cancel(created.id);
  assertShape(canceled, predictionShape, 'canceled Prediction');
  assert.equal(canceled.status, 'canceled');
  assert.equal(typeof canceled.completed_at, 'string');
});

test('deployments.predictions.create creates a prediction', async () => {
  const created = await replicate.deployments.predictions.create('aiserver', 'captioner', { input: { prompt: 'x' } });
  assertShape(created, predictionShape, 'deployment Prediction');
});

test('predictions.list pages with paginate', async () => {
  const page = await replicate.predictions.list();
  assertShape(page, { results: 'array', next: '?string|null', previous: '?string|null' }, 'Page');
  assert.ok(page.results.length > 0, 'the predictions created above are listed');
  for (const p of page.results) assertShape(p, { id: 'string', status: 'string', created_at: 'date', urls: 'object' }, 'listed Prediction');
  let seen = 0;
  for await (const batch of replicate.paginate(replicate.predictions.list)) seen += batch.length;
  assert.ok(seen >= page.results.length);
});

test('models.create, models.get, models.list and models.versions.list', async () => {
  const name = `sdk-model-${Date.now()}`;
  const created = await replicate.models.create('aiserver', name, { visibility: 'private', hardware: 'gpu-t4', description: 'conformance' });
  assertShape(created, modelShape, 'created Model');
  assert.equal(created.owner, 'aiserver');
  assert.equal(created.name, name);
  const model = await replicate.models.get('aiserver', name);
  assertShape(model, modelShape, 'Model');
  const versions = await replicate.models.versions.list('aiserver', name);
  assertShape(versions, { results: 'array' }, 'Page<ModelVersion>');
  const list = await replicate.models.list();
  assertShape(list, { results: 'array', next: '?string|null' }, 'Page<Model>');
  assert.ok(list.results.some((m) => m.name === name));
  for (const m of list.results) assertShape(m, modelShape, 'listed Model');
});

test('trainings.create, get, list and cancel; a finished training updates the destination model', async () => {
  const options = { destination: 'aiserver/trained', input: { input_images: 'https://example.com/x.zip', steps: 10 } };
  const created = await replicate.trainings.create('ostris', 'flux-dev-lora-trainer', version, options);
  assertShape(created, trainingShape, 'created Training');
  const canceledTraining = await replicate.trainings.create('ostris', 'flux-dev-lora-trainer', version, options);
  const canceled = await replicate.trainings.cancel(canceledTraining.id);
  assert.equal(canceled.status, 'canceled');
  let training = created;
  const deadline = Date.now() + 15_000;
  while (!['succeeded', 'failed', 'canceled'].includes(training.status)) {
    assert.ok(Date.now() < deadline, `training still ${training.status} after 15 s`);
    await new Promise((r) => setTimeout(r, 100));
    training = await replicate.trainings.get(created.id);
  }
  assertShape(training, trainingShape, 'finished Training');
  assert.equal(training.status, 'succeeded');
  assertShape(training.output, { version: 'string', weights: 'string' }, 'Training.output');
  const list = await replicate.trainings.list();
  assert.ok(list.results.some((t) => t.id === created.id));
  const model = await replicate.models.get('aiserver', 'trained');
  assert.equal(`aiserver/trained:${model.latest_version.id}`, training.output.version);
  assertShape(model.latest_version, { id: 'string', created_at: 'date', cog_version: 'string|null', openapi_schema: 'object|null' }, 'ModelVersion');
  const fetchedVersion = await replicate.models.versions.get('aiserver', 'trained', model.latest_version.id);
  assert.equal(fetchedVersion.id, model.latest_version.id);
  await assert.rejects(replicate.models.versions.get('aiserver', 'trained', 'b'.repeat(64)), (err) => err.response?.status === 404);
});

test('files.create, get, list and delete', async () => {
  const content = new Blob([new Uint8Array([1, 2, 3, 4, 5])], { type: 'application/octet-stream' });
  const file = await replicate.files.create(content, { purpose: 'conformance' });
  const fileShape = { id: 'string', content_type: 'string', size: 'integer', checksums: 'object', metadata: 'object', created_at: 'date', expires_at: 'date|null', urls: 'object' };
  assertShape(file, fileShape, 'FileObject');
  assert.equal(file.size, 5);
  assert.deepEqual(file.metadata, { purpose: 'conformance' });
  assertShape(file.checksums, { sha256: 'string' }, 'FileObject.checksums');
  const got = await replicate.files.get(file.id);
  assert.equal(got.id, file.id);
  const list = await replicate.files.list();
  assert.ok(list.results.some((f) => f.id === file.id));
  await replicate.files.delete(file.id);
  await assert.rejects(replicate.files.get(file.id), (err) => err.response?.status === 404);
});

test("webhooks arrive signed so that the SDK's validateWebhook accepts them with the default secret", async () => {
  const listener = await startListener();
  try {
    const { key } = await replicate.webhooks.default.secret.get();
    const created = await replicate.predictions.create({
      model: 'black-forest-labs/flux-schnell', input: { prompt: 'hook' }, webhook: listener.url, webhook_events_filter: ['start', 'completed'],
    });
    const completed = await listener.next((h) => JSON.parse(h.body).id === created.id && JSON.parse(h.body).status === 'succeeded', 'completed webhook');
    assert.equal(completed.method, 'POST');
    assert.equal(await validateWebhook({ headers: completed.headers, body: completed.body }, key), true, 'signature valid');
    assert.equal(await validateWebhook({ headers: completed.headers, body: completed.body.replace('succeeded', 'failed') }, key), false, 'a changed body fails');
    const start = await listener.next((h) => JSON.parse(h.body).id === created.id && JSON.parse(h.body).status === 'starting', 'start webhook');
    assert.equal(await validateWebhook({ headers: start.headers, body: start.body }, key), true);
    assertShape(JSON.parse(completed.body), predictionShape, 'webhook Prediction');
  } finally {
    await listener.close();
  }
});

test('stream yields the output events of a language model, then done', async () => {
  const events = [];
  for await (const event of replicate.stream('meta/meta-llama-3-8b-instruct', { input: { prompt: 'Say something' } })) {
    events.push(event);
  }
  const output = events.filter((e) => e.event === 'output');
  assert.ok(output.length > 1, `output events: ${events.map((e) => e.event)}`);
  assert.equal(output.map(String).join(''), 'This is an emulated answer.');
  assert.equal(events.at(-1).event, 'done');
  assert.deepEqual(JSON.parse(events.at(-1).data), {});
});

test('stream of a failing prediction rejects with the error event; a model without text output cannot stream', async () => {
  await assert.rejects(async () => {
    for await (const event of replicate.stream('meta/meta-llama-3-8b-instruct', { input: { prompt: 'emulator:failed' } })) void event;
  }, (err) => typeof err.message === 'string' && err.message.includes('detail'));
  await assert.rejects(async () => {
    for await (const event of replicate.stream('black-forest-labs/flux-schnell', { input: { prompt: 'x' } })) void event;
  }, /does not support streaming/);
});
