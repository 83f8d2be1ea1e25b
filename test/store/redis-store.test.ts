/** RedisStore against a real redis-server (standalone, and a one-node Redis Cluster). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/cluster/index.js';
import { isSyncError, type SyncError } from '../../src/index.js';
import { npmFixture } from '../support/npm-fixtures.js';
import { freePort, startRedisServer, useRedisServer } from '../support/redis.js';
import { storeConformance } from './conformance.js';

const server = useRedisServer();
const cluster = useRedisServer({ cluster: true });
let stores = 0;
const prefix = () => `als-test-${process.pid}-${++stores}`;
const clients: Array<Redis | Cluster> = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

function raw(): Redis {
  const client = new Redis(server.current.url);
  clients.push(client);
  return client;
}

storeConformance('RedisStore', () => new RedisStore({ redis: server.current.url, prefix: prefix() }));
storeConformance('RedisStore on Redis Cluster', () => {
  const client = new Cluster([{ host: cluster.current.host, port: cluster.current.port }]);
  clients.push(client);
  return new RedisStore({ redis: client, prefix: prefix() });
});

async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${inspect(error)}`);
  return error;
}

describe('RedisStore', () => {
  it('keeps every record of a binding in one hash under the prefix, with the binding id as the hash tag', async () => {
    const p = prefix();
    const store = new RedisStore({ redis: server.current.url, prefix: p });
    try {
      await store.saveBase('petstore', { document: { openapi: '3.0.3' }, hash: 'h', savedAt: 1 });
      await store.saveValidators('petstore', { etag: '"1"' });
      await store.setRecord('petstore', 'journal.j-1', { id: 'j-1' });
      await store.setRecord('a{b}%c', 'decisions', {});
      expect((await raw().keys(`${p}:*`)).sort()).toEqual([`${p}:{a%7Bb%7D%25c}:store`, `${p}:{petstore}:store`]);
      expect((await raw().hkeys(`${p}:{petstore}:store`)).sort()).toEqual(['base', 'journal.j-1', 'validators']);
    } finally {
      await store.close();
    }
  });

  it('stores a large record Brotli-compressed and a small one as plain JSON text: GitHub’s REST API description takes under 600 KB', async () => {
    const text = await readFile(join(await npmFixture('@octokit/openapi', '23.0.2'), 'generated/api.github.com.json'), 'utf8');
    const document = JSON.parse(text) as unknown;
    const json = Buffer.byteLength(JSON.stringify({ document, hash: 'h', savedAt: 1 }));
    const p = prefix();
    const store = new RedisStore({ redis: server.current.url, prefix: p });
    try {
      await store.saveBase('github', { document, hash: 'h', savedAt: 1 });
      await store.saveValidators('github', { etag: '"small"' });
      const stored = await raw().hgetBuffer(`${p}:{github}:store`, 'base');
      expect(json).toBeGreaterThan(6_000_000);
      expect(stored!.length).toBeLessThan(600_000);
      expect(String.fromCharCode(stored![0]!)).toBe('b');
      const small = await raw().hgetBuffer(`${p}:{github}:store`, 'validators');
      expect(small!.toString('utf8')).toBe('j{"etag":"\\"small\\""}');
      expect((await store.getBase('github'))?.document).toEqual(document);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('stores everything as JSON text with compressAbove: Infinity', async () => {
    const p = prefix();
    const store = new RedisStore({ redis: server.current.url, prefix: p, compressAbove: Infinity });
    try {
      await store.setRecord('a', 'big', 'x'.repeat(100_000));
      expect((await raw().hgetBuffer(`${p}:{a}:store`, 'big'))!.subarray(0, 2).toString()).toBe('j"');
      expect(await store.getRecord('a', 'big')).toBe('x'.repeat(100_000));
    } finally {
      await store.close();
    }
  });

  it('reports a value it did not write as STORE_CORRUPT, and never replaces it on a read', async () => {
    const p = prefix();
    const store = new RedisStore({ redis: server.current.url, prefix: p });
    const key = `${p}:{api}:store`;
    try {
      await raw().hset(
        key,
        'plain',
        '{"json":"without the tag"}',
        'truncated',
        'j{"a":',
        'brotli',
        Buffer.concat([Buffer.from('b'), Buffer.from('not brotli at all')]),
        'empty',
        '',
      );
      for (const field of ['plain', 'truncated', 'brotli', 'empty']) {
        const error = await rejection(store.getRecord('api', field));
        expect(error.code, field).toBe('STORE_CORRUPT');
        expect(error.details).toMatchObject({ bindingId: 'api', key: field, redisKey: key });
      }
      expect(await raw().hget(key, 'plain')).toBe('{"json":"without the tag"}');
      await raw().set(`${p}:{other}:store`, 'a string, not a hash');
      expect((await rejection(store.getBase('other'))).code).toBe('STORE_CORRUPT');
      expect((await rejection(store.setRecord('other', 'x', 1))).code).toBe('STORE_CORRUPT');
    } finally {
      await store.close();
    }
  });

  it('refuses an invalid binding id with BINDING_ID_INVALID and writes nothing', async () => {
    const p = prefix();
    const store = new RedisStore({ redis: server.current.url, prefix: p });
    try {
      for (const id of ['', '..', 'a/b', 'x'.repeat(129), 'tab\there']) {
        expect((await rejection(store.setRecord(id, 'k', 1))).code, JSON.stringify(id)).toBe('BINDING_ID_INVALID');
        expect((await rejection(store.getBase(id))).code).toBe('BINDING_ID_INVALID');
        expect((await rejection(store.deleteBinding(id))).code).toBe('BINDING_ID_INVALID');
      }
      expect((await rejection(store.setRecord('api', '', 1))).code).toBe('CONFIG_INVALID');
      expect((await rejection(store.setRecord('api', 'k', undefined))).code).toBe('STORE_WRITE_FAILED');
      expect((await rejection(store.setRecord('api', 'k', { n: 1n }))).code).toBe('STORE_WRITE_FAILED');
      expect(await raw().keys(`${p}:*`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('validates its options with CONFIG_INVALID', () => {
    const url = server.current.url;
    const bad: unknown[] = [
      undefined,
      null,
      { redis: url },
      { redis: url, prefix: '' },
      { redis: url, prefix: 'has space' },
      { redis: url, prefix: 'a{b}' },
      { redis: url, prefix: 7 },
      { redis: url, prefix: 'x'.repeat(101) },
      { redis: 'http://127.0.0.1:6379', prefix: 'p' },
      { redis: 'not a url', prefix: 'p' },
      { redis: 6379, prefix: 'p' },
      { redis: null, prefix: 'p' },
      { redis: [], prefix: 'p' },
      { redis: new Map(), prefix: 'p' },
      { redis: { host: 7 }, prefix: 'p' },
      { redis: { port: 70_000 }, prefix: 'p' },
      { redis: url, prefix: 'p', compressAbove: -1 },
      { redis: url, prefix: 'p', compressAbove: '1k' },
      { redis: url, prefix: 'p', compressAbove: Number.NaN },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        new RedisStore(options as never);
      } catch (thrown) {
        error = thrown;
      }
      expect(isSyncError(error) && error.code, inspect(options)).toBe('CONFIG_INVALID');
    }
  });

  it('never shows the password of a URL in what it reports for a bad URL', () => {
    let error: unknown;
    try {
      new RedisStore({ redis: 'http://user:hunter2@127.0.0.1:6379', prefix: 'p' });
    } catch (thrown) {
      error = thrown;
    }
    expect(isSyncError(error) && error.code).toBe('CONFIG_INVALID');
    expect(inspect(error, { depth: 10 })).not.toContain('hunter2');
  });

  it('uses a client you pass and leaves it open; closes a client it made', async () => {
    const client = raw();
    const p = prefix();
    const mine = new RedisStore({ redis: client, prefix: p });
    await mine.setRecord('a', 'k', 1);
    await mine.close();
    expect(client.status).toBe('ready');
    expect(await client.hexists(`${p}:{a}:store`, 'k')).toBe(1);
    const own = new RedisStore({ redis: { host: server.current.host, port: server.current.port }, prefix: p });
    expect(await own.getRecord('a', 'k')).toBe(1);
    await own.close();
    expect((own.client as Redis).status).toBe('end');
  });

  it('keeps deployments apart: another prefix sees nothing and deletes nothing', async () => {
    const first = new RedisStore({ redis: server.current.url, prefix: prefix() });
    const second = new RedisStore({ redis: server.current.url, prefix: prefix() });
    try {
      await first.setRecord('api', 'k', 'first');
      expect(await second.getRecord('api', 'k')).toBeUndefined();
      await second.deleteBinding('api');
      expect(await first.getRecord('api', 'k')).toBe('first');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('RedisStore when Redis is not there', () => {
  it('fails a read with STORE_READ_FAILED and a write with STORE_WRITE_FAILED, quickly, naming the URL and never the password', async () => {
    const port = await freePort();
    const store = new RedisStore({ redis: `redis://app:hunter2@127.0.0.1:${port}/2`, prefix: 'p' });
    try {
      const started = Date.now();
      const connect = await rejection(store.connect());
      const read = await rejection(store.getBase('api'));
      const write = await rejection(store.setRecord('api', 'k', 1));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect([connect.code, read.code, write.code]).toEqual(['STORE_READ_FAILED', 'STORE_READ_FAILED', 'STORE_WRITE_FAILED']);
      for (const error of [connect, read, write]) {
        expect(error.retryable).toBe(true);
        expect(error.hint).toContain(`redis://app@127.0.0.1:${port}/2`);
        expect(error.details).toMatchObject({ redis: `redis://app@127.0.0.1:${port}/2` });
        expect(inspect(error, { depth: 10 }) + JSON.stringify(error)).not.toContain('hunter2');
      }
    } finally {
      await store.close();
    }
  });

  it('fails with STORE_READ_FAILED, the password hidden, when the password is wrong', async () => {
    const guarded = await startRedisServer({ password: 'right-one' });
    try {
      const store = new RedisStore({ redis: `redis://:wrong-one@127.0.0.1:${guarded.port}`, prefix: 'p' });
      const error = await rejection(store.getRecord('api', 'k'));
      expect(error.code).toBe('STORE_READ_FAILED');
      expect(error.hint).toContain(`redis://127.0.0.1:${guarded.port}`);
      expect(inspect(error, { depth: 10 })).not.toContain('wrong-one');
      await store.close();
      const good = new RedisStore({ redis: guarded.url, prefix: 'p' });
      await good.setRecord('api', 'k', 'ok');
      expect(await good.getRecord('api', 'k')).toBe('ok');
      await good.close();
    } finally {
      await guarded.stop();
    }
  });

  it('does not hang on a server that stopped answering: the command times out as STORE_READ_FAILED', async () => {
    const frozen = await startRedisServer();
    const store = new RedisStore({ redis: { host: frozen.host, port: frozen.port, commandTimeout: 300 }, prefix: 'p' });
    try {
      await store.connect();
      frozen.pause();
      const started = Date.now();
      const error = await rejection(store.getBase('api'));
      expect(error.code).toBe('STORE_READ_FAILED');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      frozen.resume();
      await store.close();
      await frozen.stop();
    }
  });
});
