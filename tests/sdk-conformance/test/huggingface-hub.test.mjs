// Hugging Face's official Hub client (`@huggingface/hub`) against the emulator: the account call (whoAmI) and the
// model/Space metadata our health check reads. Only hubUrl differs from production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whoAmI, modelInfo, spaceInfo } from '@huggingface/hub';
import { emulatorUrl, keys } from '../lib/env.mjs';
import { assertShape } from '../lib/shape.mjs';

const hubUrl = `${emulatorUrl}/huggingface`;

test('whoAmI returns the WhoAmIUser the typings promise, with auth', async () => {
  const me = await whoAmI({ accessToken: keys.huggingface, hubUrl });
  assertShape(me, { id: 'string', type: '"user"', name: 'string', fullname: 'string', email: 'string', emailVerified: 'boolean', isPro: 'boolean', orgs: 'array', canPay: 'boolean', avatarUrl: 'string', periodEnd: 'number|null', billingMode: 'string', auth: 'object' }, 'WhoAmIUser');
  assert.equal(me.auth.type, 'access_token');
  assert.ok(me.auth.accessToken.createdAt instanceof Date && !Number.isNaN(me.auth.accessToken.createdAt.getTime()), 'createdAt parses');
});

test('whoAmI with a wrong token is a HubApiError 401', async () => {
  await assert.rejects(whoAmI({ accessToken: 'hf_wrong', hubUrl }), (err) => err.statusCode === 401 && /Api error|Invalid|credentials|token/i.test(err.message));
});

test('modelInfo reads /api/models/{id}/revision/HEAD', async () => {
  const info = await modelInfo({ name: 'Salesforce/blip-image-captioning-large', hubUrl, additionalFields: ['inferenceProviderMapping'] });
  assertShape(info, { id: 'string', name: 'string', private: 'boolean', task: 'string', downloads: 'number', gated: 'boolean|string', likes: 'number' }, 'ModelEntry');
  assert.equal(info.name, 'Salesforce/blip-image-captioning-large');
  assert.ok(!Number.isNaN(info.updatedAt.getTime()), 'updatedAt parses');
  assert.ok(info.inferenceProviderMapping.some((m) => m.provider === 'hf-inference' && m.status === 'live'));
});

test('spaceInfo reads /api/spaces/{id}/revision/HEAD', async () => {
  const info = await spaceInfo({ name: 'fancyfeast/joy-caption-alpha-two', hubUrl, additionalFields: ['runtime'] });
  assertShape(info, { id: 'string', name: 'string', sdk: 'string', likes: 'number', private: 'boolean' }, 'SpaceEntry');
  assert.equal(info.sdk, 'gradio');
  assert.equal(info.runtime.stage, 'RUNNING');
  assert.ok(!Number.isNaN(info.updatedAt.getTime()), 'updatedAt parses');
});
