/**
 * Every options object at every entry point refuses an unknown key the same
 * way: `CONFIG_INVALID`, `details.option` naming the key, an "Expected …,
 * got …" message. The calls are made as plain JavaScript would make them
 * (no type checks), which is where a typo would otherwise pass silently.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/cluster/index.js';
import { manual, preferLocal, rules } from '../../src/conflict/index.js';
import { openAIResolver } from '../../src/conflict/openai.js';
import { diffSpecs } from '../../src/diff/index.js';
import { loadSpec } from '../../src/document/index.js';
import { SyncEngine } from '../../src/engine/index.js';
import { createSyncHandler, webhookNotifier } from '../../src/server/index.js';
import { compositeSource, discoverSpec, fileSource, functionSource, httpSource, MemorySource } from '../../src/sources/index.js';
import { FileStore } from '../../src/store/index.js';
import { brunoTarget, hoppscotchTarget, MemoryTarget, openApiFileTarget, renderCollection } from '../../src/targets/index.js';
import { petstore } from '../support/docs.js';

const dir = await mkdtemp(join(tmpdir(), 'als-options-'));
const url = 'http://127.0.0.1:9/openapi.json';

async function engineWithBinding(): Promise<SyncEngine> {
  const engine = new SyncEngine();
  await engine.addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
  return engine;
}

/** Entry point → a call with `extra` merged into one of its options objects. */
const entryPoints: Record<string, (extra: Record<string, unknown>) => unknown> = {
  'new SyncEngine': (extra) => new SyncEngine(extra as never),
  'new SyncEngine retry': (extra) => new SyncEngine({ retry: extra } as never),
  'new SyncEngine circuitBreaker': (extra) => new SyncEngine({ circuitBreaker: extra } as never),
  'engine.updateConfig': async (extra) => (await engineWithBinding()).updateConfig(extra as never),
  'engine.addSource': (extra) =>
    new SyncEngine().addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget(), ...extra } as never),
  'engine.addSource policy': (extra) =>
    new SyncEngine().addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget(), policy: extra } as never),
  'engine.syncNow': async (extra) => (await engineWithBinding()).syncNow('pets', extra as never),
  'engine.addSyncJob': async (extra) => (await engineWithBinding()).addSyncJob({ sourceId: 'pets', ...extra } as never),
  'engine.plan': async (extra) => (await engineWithBinding()).plan('pets', extra as never),
  'engine.rollback': async (extra) => (await engineWithBinding()).rollback('pets', undefined, extra as never),
  httpSource: (extra) => httpSource({ url, ...extra } as never),
  fileSource: (extra) => fileSource({ path: join(dir, 'openapi.json'), ...extra } as never),
  functionSource: (extra) => functionSource(() => petstore(1), extra as never),
  compositeSource: (extra) => compositeSource({ sources: [{ id: 'a', source: new MemorySource(petstore(1)) }], ...extra } as never),
  'compositeSource load': (extra) =>
    compositeSource({ sources: [{ id: 'a', source: new MemorySource(petstore(1)) }], load: extra } as never),
  'compositeSource member': (extra) =>
    compositeSource({ sources: [{ id: 'a', source: new MemorySource(petstore(1)), ...extra }] } as never),
  discoverSpec: (extra) => discoverSpec('http://127.0.0.1:9', extra as never),
  openApiFileTarget: (extra) => openApiFileTarget({ path: join(dir, 'local.json'), ...extra } as never),
  hoppscotchTarget: (extra) => hoppscotchTarget({ path: join(dir, 'local.hoppscotch.json'), ...extra } as never),
  brunoTarget: (extra) => brunoTarget({ dir: join(dir, 'bruno'), ...extra } as never),
  MemoryTarget: (extra) => new MemoryTarget(extra as never),
  FileStore: (extra) => new FileStore({ dir, ...extra } as never),
  RedisStore: (extra) => new RedisStore({ redis: 'redis://127.0.0.1:9', prefix: 'als', ...extra } as never),
  createSyncHandler: (extra) => createSyncHandler(new SyncEngine(), extra as never),
  webhookNotifier: (extra) => webhookNotifier(new SyncEngine(), { urls: ['http://127.0.0.1:9/hook'], ...extra } as never),
  rules: (extra) => rules([], extra as never),
  manual: (extra) => manual({ fallback: preferLocal(), ...extra } as never),
  openAIResolver: (extra) => openAIResolver({ model: 'gpt-4.1-mini', ...extra } as never),
  loadSpec: (extra) => loadSpec(petstore(1), extra as never),
  diffSpecs: (extra) => diffSpecs(petstore(1), petstore(2), extra as never),
  renderCollection: (extra) => renderCollection(petstore(1), extra as never),
};

/** The error a call throws or rejects with. */
async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('unknown option keys', () => {
  it.each(Object.keys(entryPoints))('%s refuses an unknown key with CONFIG_INVALID', async (name) => {
    const error = await failureOf(() => entryPoints[name]!({ timeout: 1 }));
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID' });
    expect((error as { details: { option: string } }).details.option).toMatch(/(^|\.)timeout$/);
    expect((error as Error).message).toMatch(/^Expected .+, got an unknown key `timeout`\.$/);
  });

  it('names the option a misspelt key was meant to be', async () => {
    const error = await failureOf(() => entryPoints['engine.addSource']!({ interval: 2000 }));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { option: 'interval' } });
    expect((error as { hint: string }).hint).toContain('`intervalMs`');
    expect(await failureOf(() => entryPoints['new SyncEngine retry']!({ retries: 3 }))).toMatchObject({
      details: { option: 'retry.retries' },
    });
  });

  it('accepts every documented key', async () => {
    const engine = await engineWithBinding();
    await expect(engine.syncNow('pets', { priority: 'low', signal: new AbortController().signal })).resolves.toMatchObject({
      outcome: 'applied',
    });
    expect(() => httpSource({ url, connectTimeoutMs: 100, probe: 'head', userAgent: 'x' })).not.toThrow();
  });

  it.each([
    'httpSource',
    'fileSource',
    'openApiFileTarget',
    'hoppscotchTarget',
    'brunoTarget',
    'FileStore',
    'createSyncHandler',
    'rules',
    'manual',
    'openAIResolver',
    'engine.addSource',
  ])('%s refuses options that are not an object', async (name) => {
    const call: Record<string, () => unknown> = {
      httpSource: () => httpSource(null as never),
      fileSource: () => fileSource('openapi.json' as never),
      openApiFileTarget: () => openApiFileTarget([] as never),
      hoppscotchTarget: () => hoppscotchTarget(null as never),
      brunoTarget: () => brunoTarget(null as never),
      FileStore: () => new FileStore('dir' as never),
      createSyncHandler: () => createSyncHandler(new SyncEngine(), null as never),
      rules: () => rules([], 'name' as never),
      manual: () => manual(null as never),
      openAIResolver: () => openAIResolver(null as never),
      'engine.addSource': () => new SyncEngine().addSource(null as never),
    };
    expect(await failureOf(call[name]!)).toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
