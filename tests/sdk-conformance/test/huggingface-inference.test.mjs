// Hugging Face's official JavaScript inference client (`@huggingface/inference`) against the emulator.
// The SDK has no base-URL option: its documented override is `endpointUrl` (the full URL of an hf-inference model
// endpoint); the routed path (Hub provider mapping, then the router) is driven through the SDK's own `fetch`
// option with a fetch that only swaps the production origins for the emulator's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceClient, InferenceClientProviderApiError } from '@huggingface/inference';
import { emulatorUrl, keys } from '../lib/env.mjs';
import { tinyPng } from '../lib/media.mjs';

const model = 'Salesforce/blip-image-captioning-large';
const endpointUrl = `${emulatorUrl}/huggingface/hf-inference/models/${model}`;
const png = () => new Blob([tinyPng()], { type: 'image/png' });
const seen = [];
const origins = [['https://router.huggingface.co', `${emulatorUrl}/huggingface`], ['https://huggingface.co', `${emulatorUrl}/huggingface`]];

/** Production origin → emulator; everything else of the request is the SDK's own. */
function emulatorFetch(input, init) {
  let url = typeof input === 'string' ? input : input.url ?? String(input);
  for (const [from, to] of origins) {
    if (url.startsWith(`${from}/`)) {
      url = to + url.slice(from.length);
      break;
    }
  }
  seen.push(`${init?.method ?? 'GET'} ${url.slice(emulatorUrl.length)}`);
  return fetch(url, init);
}

test('imageToText with endpointUrl returns {generated_text}', async () => {
  const client = new InferenceClient(keys.huggingface);
  const result = await client.imageToText({ endpointUrl, data: png() });
  assert.equal(typeof result.generated_text, 'string');
  assert.ok(result.generated_text.length > 0);
});

test('imageToText by model and provider resolves the Hub mapping, then calls the router', async () => {
  const client = new InferenceClient(keys.huggingface, { fetch: emulatorFetch });
  seen.length = 0;
  const result = await client.imageToText({ model, provider: 'hf-inference', data: png() });
  assert.equal(typeof result.generated_text, 'string');
  assert.deepEqual(seen, [
    `GET /huggingface/api/models/${model}?expand[]=inferenceProviderMapping`,
    `POST /huggingface/hf-inference/models/${model}`,
  ]);
});

test("provider 'auto' picks hf-inference from the model's inferenceProviderMapping", async () => {
  const client = new InferenceClient(keys.huggingface, { fetch: emulatorFetch });
  const result = await client.imageToText({ model: 'nlpconnect/vit-gpt2-image-captioning', data: png() });
  assert.equal(typeof result.generated_text, 'string');
});

test('a body that is not an image is an InferenceClientProviderApiError carrying the 400', async () => {
  const client = new InferenceClient(keys.huggingface);
  await assert.rejects(client.imageToText({ endpointUrl, data: new Blob(['not an image'], { type: 'image/png' }) }), (err) => {
    assert.ok(err instanceof InferenceClientProviderApiError, `${err?.constructor?.name}: ${err}`);
    assert.equal(err.httpResponse.status, 400);
    assert.match(err.message, /cannot identify image file/);
    return true;
  });
});

test('a wrong token is a 401', async () => {
  const client = new InferenceClient('hf_wrong_token');
  await assert.rejects(client.imageToText({ endpointUrl, data: png() }), (err) => err instanceof InferenceClientProviderApiError && err.httpResponse.status === 401);
});
