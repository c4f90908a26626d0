// Sync's official JavaScript SDK (`@sync.so/sdk`, Fern-generated) against the emulator: only baseUrl differs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncClient, SyncError } from '@sync.so/sdk';
import { emulatorUrl, keys, eventually } from '../lib/env.mjs';
import { assertShape } from '../lib/shape.mjs';

const baseUrl = `${emulatorUrl}/synclabs`;
const sync = new SyncClient({ apiKey: keys.sync, baseUrl });
const input = [
  { type: 'video', url: 'https://assets.sync.so/docs/example-video.mp4' },
  { type: 'audio', url: 'https://assets.sync.so/docs/example-audio.wav' },
];
// api/resources/common/types/Generation.d.ts
const generationShape = {
  id: 'string', createdAt: 'date', status: 'string', model: 'string', input: 'array', options: '?object|null',
  outputUrl: '?string|null', outputDuration: '?number|null', webhookUrl: '?string|null', error: '?string|null', error_code: '?string|null',
};
const statuses = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'REJECTED'];

async function waitForTerminal(id) {
  return eventually(async () => {
    const g = await sync.generations.get(id);
    return ['COMPLETED', 'FAILED', 'REJECTED'].includes(g.status) ? g : null;
  }, `generation ${id} reaching a terminal status`);
}

test('models.list returns ModelInfo items', async () => {
  const models = await sync.models.list();
  assert.ok(models.length > 0);
  for (const m of models) {
    assertShape(m, { id: 'string', name: 'string', type: 'string', version: 'string', description: '?string' }, 'ModelInfo');
    assert.ok(['lipsync', 'react'].includes(m.type), `ModelType ${m.type}`);
  }
  assert.ok(models.some((m) => m.name === 'lipsync-2'));
});

test('generations.create (JSON, the call our client makes) then get until COMPLETED', async () => {
  const created = await sync.generations.create({ model: 'lipsync-2', input, options: { sync_mode: 'bounce' }, webhookUrl: 'http://127.0.0.1:9/hook' },
    { headers: { 'Idempotency-Key': `conformance-${Date.now()}` } });
  assertShape(created, generationShape, 'created Generation');
  assert.equal(created.status, 'PENDING');
  assert.deepEqual(created.options, { sync_mode: 'bounce' });
  const done = await waitForTerminal(created.id);
  assertShape(done, generationShape, 'finished Generation');
  assert.equal(done.status, 'COMPLETED');
  assert.match(done.outputUrl, /\.mp4$/);
  assert.equal(typeof done.outputDuration, 'number');
  const video = await fetch(done.outputUrl, { signal: AbortSignal.timeout(10_000) });
  assert.equal(video.status, 200);
  assert.equal(Buffer.from(await video.arrayBuffer()).subarray(4, 8).toString('latin1'), 'ftyp');
});

test('a failing generation ends FAILED with error and error_code', async () => {
  const created = await sync.generations.create({ model: 'lipsync-2', input }, { headers: { 'X-Emulator-Outcome': 'failed' } });
  const done = await waitForTerminal(created.id);
  assert.equal(done.status, 'FAILED');
  assert.equal(typeof done.error, 'string');
});

test('generations.createWithFiles (multipart, one input field per item) creates a generation', async () => {
  const video = new File([Buffer.from('fake video')], 'face.mp4', { type: 'video/mp4' });
  const created = await sync.generations.createWithFiles(video, undefined, {
    model: 'lipsync-2',
    input: [{ type: 'audio', url: 'https://assets.sync.so/docs/example-audio.wav' }],
    options: { sync_mode: 'loop' },
  });
  assertShape(created, generationShape, 'Generation');
  assert.equal(created.input.length, 2, JSON.stringify(created.input));
  assert.ok(created.input.some((i) => i.type === 'video') && created.input.some((i) => i.type === 'audio'));
  assert.deepEqual(created.options, { sync_mode: 'loop' });
});

test('generations.list filters by status and ids as the SDK encodes them', async () => {
  const a = await sync.generations.create({ model: 'lipsync-2', input });
  const b = await sync.generations.create({ model: 'lipsync-2', input });
  const all = await sync.generations.list();
  assert.ok(Array.isArray(all) && all.length >= 2);
  for (const g of all) assertShape(g, generationShape, 'listed Generation');
  const byIds = await sync.generations.list({ ids: [a.id, b.id] });
  assert.deepEqual(byIds.map((g) => g.id).sort(), [a.id, b.id].sort());
  await waitForTerminal(a.id);
  const completed = await sync.generations.list({ status: ['COMPLETED'], ids: [a.id] });
  assert.deepEqual(completed.map((g) => g.id), [a.id]);
  const none = await sync.generations.list({ status: ['REJECTED'], ids: [a.id] });
  assert.deepEqual(none, []);
  for (const g of all) assert.ok(statuses.includes(g.status));
});

test('generations.estimateCost returns EstimatedGenerationCost[]', async () => {
  const estimate = await sync.generations.estimateCost({ model: 'lipsync-2', input });
  assert.ok(Array.isArray(estimate) && estimate.length > 0, JSON.stringify(estimate));
  for (const e of estimate) assertShape(e, { estimatedFrameCount: 'number', estimatedGenerationCost: 'number' }, 'EstimatedGenerationCost');
});

test('an invalid create is a BadRequestError; an unknown id a 404; a wrong key a 401', async () => {
  await assert.rejects(sync.generations.create({ model: 'lipsync-2', input: [input[1]] }), (err) => {
    assert.ok(err instanceof SyncError);
    assert.equal(err.statusCode, 400);
    assertShape(err.body, { statusCode: 'number', message: 'array|string' }, 'GenerationError');
    return true;
  });
  await assert.rejects(sync.generations.get('00000000-0000-0000-0000-000000000000'), (err) => err.statusCode === 404);
  const bad = new SyncClient({ apiKey: 'wrong', baseUrl });
  await assert.rejects(bad.models.list(), (err) => err.statusCode === 401);
});
