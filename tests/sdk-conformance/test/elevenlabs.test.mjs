// ElevenLabs' official JavaScript SDK (`@elevenlabs/elevenlabs-js`, Fern-generated, validates every JSON response
// against its schemas) against the emulator: only baseUrl differs from production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { emulatorUrl, keys } from '../lib/env.mjs';
import { assertShape } from '../lib/shape.mjs';

const baseUrl = `${emulatorUrl}/elevenlabs`;
const client = new ElevenLabsClient({ apiKey: keys.elevenlabs, baseUrl, maxRetries: 0, timeoutInSeconds: 20 });
const rachel = '21m00Tcm4TlvDq8ikWAM';

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function isMp3(bytes) {
  return (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) || bytes.subarray(0, 3).toString('latin1') === 'ID3';
}

test('user.get parses into the SDK User type', async () => {
  const user = await client.user.get();
  assertShape(user, { userId: 'string', subscription: 'object', isNewUser: 'boolean', xiApiKey: '?string', canUseDelayedPaymentMethods: 'boolean', isOnboardingCompleted: 'boolean', isOnboardingChecklistCompleted: 'boolean', createdAt: 'number' }, 'User');
});

test('user.subscription.get parses into the SDK Subscription type', async () => {
  const subscription = await client.user.subscription.get();
  assertShape(subscription, { tier: 'string', characterCount: 'number', characterLimit: 'number', voiceLimit: 'number', status: 'string' }, 'Subscription');
});

test('models.list parses into Model[]', async () => {
  const models = await client.models.list();
  assert.ok(models.length > 0);
  for (const m of models) assertShape(m, { modelId: 'string', name: '?string', canDoTextToSpeech: '?boolean' }, 'Model');
  assert.ok(models.some((m) => m.modelId === 'eleven_multilingual_v2'));
});

test('voices.getAll (GET /v1/voices) lists the premade voices', async () => {
  const { voices } = await client.voices.getAll();
  assert.ok(voices.some((v) => v.voiceId === rachel), 'Rachel is there');
  for (const v of voices) assertShape(v, { voiceId: 'string', name: '?string', category: '?string', labels: '?object' }, 'Voice');
});

test('voices.search (GET /v2/voices) pages', async () => {
  const page = await client.voices.search({ pageSize: 2 });
  assertShape(page, { voices: 'array', hasMore: 'boolean', totalCount: 'number', nextPageToken: '?string' }, 'GetVoicesV2Response');
  assert.equal(page.voices.length, 2);
  assert.equal(page.hasMore, true);
  const next = await client.voices.search({ pageSize: 2, nextPageToken: page.nextPageToken });
  assert.ok(next.voices.length > 0);
  assert.notEqual(next.voices[0].voiceId, page.voices[0].voiceId);
});

test('voices.get returns one voice; an unknown one is a 404 ElevenLabsError (NotFoundError)', async () => {
  const voice = await client.voices.get(rachel);
  assert.equal(voice.voiceId, rachel);
  await assert.rejects(client.voices.get('nosuchvoice00000000'), (err) => {
    assert.ok(err instanceof ElevenLabsError, `${err}`);
    assert.equal(err.statusCode, 404);
    return true;
  });
});

test('textToSpeech.convert returns MP3 bytes', async () => {
  const audio = await client.textToSpeech.convert(rachel, { text: 'Hello from the conformance suite.', modelId: 'eleven_multilingual_v2', outputFormat: 'mp3_44100_128' });
  const bytes = await readAll(audio);
  assert.ok(bytes.length > 100, `${bytes.length} bytes`);
  assert.ok(isMp3(bytes), 'MPEG audio frame or ID3 at the start');
});

test('textToSpeech.stream (the path our client uses) returns MP3 bytes', async () => {
  const audio = await client.textToSpeech.stream(rachel, { text: 'Streaming.', modelId: 'eleven_flash_v2_5', outputFormat: 'mp3_44100_128' });
  const bytes = await readAll(audio);
  assert.ok(bytes.length > 100 && isMp3(bytes), `${bytes.length} bytes of MP3`);
});

test('textToSpeech.convert returns WAV bytes for a wav format', async () => {
  const audio = await client.textToSpeech.convert(rachel, { text: 'Wave.', outputFormat: 'wav_16000' });
  const bytes = await readAll(audio);
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.equal(bytes.subarray(8, 12).toString('latin1'), 'WAVE');
  assert.equal(bytes.readUInt32LE(24), 16000, 'sample rate');
});

test('textToSpeech.stream returns raw PCM for pcm_16000', async () => {
  const audio = await client.textToSpeech.stream(rachel, { text: 'Raw.', outputFormat: 'pcm_16000' });
  const bytes = await readAll(audio);
  assert.ok(bytes.length > 0 && bytes.length % 2 === 0, `${bytes.length} bytes of s16le`);
});

test('textToSpeech.convertWithTimestamps parses audio and alignment', async () => {
  const result = await client.textToSpeech.convertWithTimestamps(rachel, { text: 'Hi there', outputFormat: 'mp3_22050_32' });
  assertShape(result, { audioBase64: 'string', alignment: '?object', normalizedAlignment: '?object' }, 'AudioWithTimestampsResponse');
  assertShape(result.alignment, { characters: 'array', characterStartTimesSeconds: 'array', characterEndTimesSeconds: 'array' }, 'alignment');
  assert.equal(result.alignment.characters.join(''), 'Hi there');
  assert.ok(isMp3(Buffer.from(result.audioBase64, 'base64')));
});

test('textToSpeech.streamWithTimestamps yields audio chunks with their alignment', async () => {
  const text = 'Chunked words';
  const stream = await client.textToSpeech.streamWithTimestamps(rachel, { text, outputFormat: 'mp3_44100_128' });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 1);
  for (const c of chunks) assertShape(c, { audioBase64: 'string', alignment: '?object', normalizedAlignment: '?object' }, 'StreamingAudioChunkWithTimestampsResponse');
  assert.equal(chunks.map((c) => c.alignment?.characters.join('') ?? '').join(''), text);
  assert.ok(isMp3(Buffer.concat(chunks.map((c) => Buffer.from(c.audioBase64, 'base64')))));
});

test('textToSpeech.convert with an unknown voice is a 404 with detail.status voice_not_found', async () => {
  await assert.rejects(client.textToSpeech.convert('nosuchvoice00000000', { text: 'x' }), (err) => {
    assert.ok(err instanceof ElevenLabsError);
    assert.equal(err.statusCode, 404);
    assert.equal(err.body?.detail?.status, 'voice_not_found');
    return true;
  });
});

test('a wrong key is a 401 with detail.status invalid_api_key', async () => {
  const bad = new ElevenLabsClient({ apiKey: 'wrong', baseUrl, maxRetries: 0 });
  await assert.rejects(bad.user.get(), (err) => err.statusCode === 401 && err.body?.detail?.status === 'invalid_api_key');
});

test('voices.ivc.create clones a voice; update, get and delete it', async () => {
  const sample = new Blob([Buffer.from('RIFF0000WAVEfmt fake sample for cloning')], { type: 'audio/wav' });
  const created = await client.voices.ivc.create({ name: 'Conformance clone', files: [sample], description: 'sdk', labels: { accent: 'british' }, removeBackgroundNoise: false });
  assertShape(created, { voiceId: 'string', requiresVerification: 'boolean' }, 'AddVoiceIvcResponseModel');
  const edited = await client.voices.update(created.voiceId, { name: 'Renamed clone' });
  assertShape(edited, { status: 'string' }, 'EditVoiceResponseModel');
  const voice = await client.voices.get(created.voiceId);
  assert.equal(voice.name, 'Renamed clone');
  assert.equal(voice.category, 'cloned');
  const deleted = await client.voices.delete(created.voiceId);
  assertShape(deleted, { status: 'string' }, 'DeleteVoiceResponseModel');
  await assert.rejects(client.voices.get(created.voiceId), (err) => err.statusCode === 404);
});
