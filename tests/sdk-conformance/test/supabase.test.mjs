// Supabase's official PostgREST client (`@supabase/postgrest-js`) against the emulator's PostgREST subset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgrestClient } from '@supabase/postgrest-js';
import { emulatorUrl, keys } from '../lib/env.mjs';

const restUrl = `${emulatorUrl}/supabase/rest/v1`;
const headers = { apikey: keys.supabase, Authorization: `Bearer ${keys.supabase}` };
const db = new PostgrestClient(restUrl, { headers, schema: 'public' });
const table = `sdk_jobs_${Date.now()}`;

function ok(result, what) {
  assert.equal(result.error, null, `${what}: ${JSON.stringify(result.error)}`);
  return result;
}

test('insert with select() returns the representation (201)', async () => {
  const result = ok(await db.from(table).insert([
    { id: 1, name: 'alpha', status: 'queued', score: 10 },
    { id: 2, name: 'beta', status: 'done', score: 20 },
    { id: 3, name: 'gamma', status: 'done', score: null },
  ]).select(), 'insert');
  assert.equal(result.status, 201);
  assert.equal(result.data.length, 3);
  assert.deepEqual(result.data[0], { id: 1, name: 'alpha', status: 'queued', score: 10 });
});

test('insert without select() is return=minimal: 201 and no data', async () => {
  const result = ok(await db.from(table).insert({ id: 4, name: 'delta', status: 'queued', score: 40 }), 'insert');
  assert.equal(result.status, 201);
  assert.equal(result.data, null);
});

test('select with filters, order, limit and range', async () => {
  const done = ok(await db.from(table).select('id,name').eq('status', 'done').order('id', { ascending: false }), 'eq');
  assert.deepEqual(done.data, [{ id: 3, name: 'gamma' }, { id: 2, name: 'beta' }]);
  const gt = ok(await db.from(table).select('id').gt('score', 10).lte('score', 40).neq('name', 'delta'), 'gt');
  assert.deepEqual(gt.data, [{ id: 2 }]);
  const inList = ok(await db.from(table).select('id').in('name', ['alpha', 'gamma']).order('id'), 'in');
  assert.deepEqual(inList.data, [{ id: 1 }, { id: 3 }]);
  const isNull = ok(await db.from(table).select('id').is('score', null), 'is');
  assert.deepEqual(isNull.data, [{ id: 3 }]);
  const like = ok(await db.from(table).select('name').ilike('name', '%AM%'), 'ilike');
  assert.deepEqual(like.data, [{ name: 'gamma' }]);
  const or = ok(await db.from(table).select('id').or('status.eq.queued,score.is.null').order('id'), 'or');
  assert.deepEqual(or.data, [{ id: 1 }, { id: 3 }, { id: 4 }]);
  const page = ok(await db.from(table).select('id').order('id').range(1, 2), 'range');
  assert.deepEqual(page.data, [{ id: 2 }, { id: 3 }]);
  const limited = ok(await db.from(table).select('id').order('score', { ascending: true, nullsFirst: true }).limit(2), 'limit');
  assert.deepEqual(limited.data, [{ id: 3 }, { id: 1 }]);
});

test('select with count: exact reports the total', async () => {
  const result = ok(await db.from(table).select('id', { count: 'exact' }).eq('status', 'done'), 'count');
  assert.equal(result.count, 2);
  assert.equal(result.data.length, 2);
  const head = ok(await db.from(table).select('*', { count: 'exact', head: true }), 'head count');
  assert.equal(head.count, 4);
  assert.equal(head.data, null);
});

test('single() and maybeSingle()', async () => {
  const one = ok(await db.from(table).select('name').eq('id', 2).single(), 'single');
  assert.deepEqual(one.data, { name: 'beta' });
  const many = await db.from(table).select('name').eq('status', 'done').single();
  assert.equal(many.status, 406);
  assert.equal(many.error.code, 'PGRST116');
  const none = ok(await db.from(table).select('name').eq('id', 999).maybeSingle(), 'maybeSingle');
  assert.equal(none.data, null);
});

test('upsert merges duplicates on the conflict column', async () => {
  const result = ok(await db.from(table).upsert({ id: 1, name: 'alpha', status: 'done', score: 11 }, { onConflict: 'id' }).select(), 'upsert');
  assert.deepEqual(result.data, [{ id: 1, name: 'alpha', status: 'done', score: 11 }]);
  const ignored = ok(await db.from(table).upsert({ id: 1, name: 'other' }, { ignoreDuplicates: true }).select(), 'ignore');
  assert.deepEqual(ignored.data, []);
});

test('a duplicate insert is a 409 with code 23505', async () => {
  const result = await db.from(table).insert({ id: 2, name: 'again' });
  assert.equal(result.status, 409);
  assert.equal(result.error.code, '23505');
  for (const field of ['message', 'details', 'hint', 'code']) assert.ok(field in result.error, `error.${field}`);
});

test('update and delete with filters return the affected rows', async () => {
  const updated = ok(await db.from(table).update({ status: 'archived' }).eq('id', 4).select('id,status'), 'update');
  assert.deepEqual(updated.data, [{ id: 4, status: 'archived' }]);
  const minimal = ok(await db.from(table).update({ score: 0 }).eq('id', 4), 'update minimal');
  assert.equal(minimal.status, 204);
  const deleted = ok(await db.from(table).delete().eq('id', 4).select(), 'delete');
  assert.deepEqual(deleted.data, [{ id: 4, name: 'delta', status: 'archived', score: 0 }]);
});

test('rpc calls a function (POST and get: true)', async () => {
  const post = ok(await db.rpc('get_stats', { since: '2026-01-01' }), 'rpc');
  assert.deepEqual(post.data, { jobs: 3, ok: true });
  const get = ok(await db.rpc('get_stats', {}, { get: true }), 'rpc get');
  assert.deepEqual(get.data, { jobs: 3, ok: true });
  const missing = await db.rpc('no_such_function');
  assert.equal(missing.status, 404);
  assert.equal(missing.error.code, 'PGRST202');
});

test('unknown table and unknown column are PostgREST errors', async () => {
  const table404 = await db.from('no_such_table_sdk').select('*');
  assert.equal(table404.status, 404);
  assert.equal(table404.error.code, 'PGRST205');
  const column = await db.from(table).select('nope');
  assert.equal(column.status, 400);
  assert.equal(column.error.code, '42703');
});

test('a wrong apikey is a 401', async () => {
  const bad = new PostgrestClient(restUrl, { headers: { apikey: 'wrong' } });
  const result = await bad.from(table).select('*');
  assert.equal(result.status, 401);
  assert.ok(result.error);
});

test('throwOnError() throws a PostgrestError', async () => {
  await assert.rejects(async () => db.from('no_such_table_sdk').select('*').throwOnError(), (err) => err.code === 'PGRST205');
});
