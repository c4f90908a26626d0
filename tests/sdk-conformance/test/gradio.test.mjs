// Gradio's official JavaScript client (`@gradio/client`) against the emulated JoyCaption Space: connect (config,
// API info), upload, and predict/submit over the queue protocol (queue/join + queue/data event stream).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, handle_file } from '@gradio/client';
import { emulatorUrl } from '../lib/env.mjs';
import { tinyPng } from '../lib/media.mjs';

const spaceUrl = `${emulatorUrl}/huggingface/spaces/fancyfeast/joy-caption-alpha-two`;
const clients = [];
after(() => clients.forEach((c) => c.close()));

async function connect(options) {
  const client = await Client.connect(spaceUrl, options);
  clients.push(client);
  return client;
}

function inputs(prompt = '') {
  return {
    input_image: handle_file(new Blob([tinyPng()], { type: 'image/png' })),
    caption_type: 'Descriptive',
    caption_length: 'long',
    extra_options: [],
    name_input: '',
    custom_prompt: prompt,
  };
}

test('Client.connect reads the config and the API description', async () => {
  const client = await connect();
  assert.equal(client.config.root, spaceUrl);
  assert.equal(client.config.api_prefix, '/gradio_api');
  const api = await client.view_api();
  const endpoint = api.named_endpoints['/stream_chat'];
  assert.ok(endpoint, `named endpoints: ${Object.keys(api.named_endpoints)}`);
  assert.deepEqual(endpoint.parameters.map((p) => p.parameter_name),
    ['input_image', 'caption_type', 'caption_length', 'extra_options', 'name_input', 'custom_prompt']);
  assert.equal(endpoint.returns.length, 2);
});

test('predict uploads the image and returns [prompt, caption]', async () => {
  const client = await connect();
  const result = await client.predict('/stream_chat', inputs());
  assert.equal(result.type, 'data');
  assert.equal(result.data.length, 2);
  assert.ok(result.data.every((s) => typeof s === 'string' && s.length > 0), JSON.stringify(result.data));
});

test('submit streams status pending → generating → complete with the data', async () => {
  const client = await connect({ events: ['data', 'status'] });
  const stages = [];
  let data;
  for await (const message of client.submit('/stream_chat', inputs())) {
    if (message.type === 'status') stages.push(message.stage);
    if (message.type === 'data') data = message.data;
  }
  assert.equal(stages[0], 'pending');
  assert.ok(stages.includes('generating'), `stages ${stages}`);
  assert.equal(stages.at(-1), 'complete');
  assert.equal(data.length, 2);
});

test('two predictions on one client share the session stream', async () => {
  const client = await connect();
  const [a, b] = await Promise.all([client.predict('/stream_chat', inputs()), client.predict('/stream_chat', inputs())]);
  assert.equal(a.data.length, 2);
  assert.equal(b.data.length, 2);
});

test('a failing Space call rejects predict with the error', async () => {
  const client = await connect();
  await assert.rejects(client.predict('/stream_chat', inputs('emulator:failed')), (err) => {
    assert.match(err.message, /failed/);
    return true;
  });
});

test('an unknown endpoint is refused by the client before any call', async () => {
  const client = await connect();
  await assert.rejects(client.predict('/no_such_api', {}), /No endpoint matching/);
});
