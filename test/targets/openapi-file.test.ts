import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, openApiFileTarget } from '../../src/index.js';
import { MemorySource } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

describe('openApiFileTarget', () => {
  it('writes JSON atomically and keeps the file indentation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    await writeFile(path, `${JSON.stringify(petstore(1), null, 4)}\n`);
    const engine = new SyncEngine({ store: new FileStore({ dir: join(dir, '.store') }) });
    const source = new MemorySource(petstore(2));
    await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }) });
    await engine.syncNow('api');
    const text = await readFile(path, 'utf8');
    expect(JSON.parse(text)).toEqual(petstore(2));
    expect(text.split('\n')[1]).toMatch(/^ {4}"/);
  });

  it('writes YAML for .yaml files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.yaml');
    const engine = new SyncEngine();
    await engine.addSource({ id: 'api', source: new MemorySource(petstore(1)), target: openApiFileTarget({ path }) });
    await engine.syncNow('api');
    expect(await readFile(path, 'utf8')).toContain('openapi: 3.0.3');
  });

  it('never overwrites a local file it cannot parse', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    const engine = new SyncEngine();
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }) });
    await engine.syncNow('api');
    await writeFile(path, '{ "openapi": "3.0.3", oops');
    source.set(petstore(2));
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'TARGET_INVALID' });
    expect(await readFile(path, 'utf8')).toBe('{ "openapi": "3.0.3", oops');
  });

  it('rejects a missing path', () => {
    expect(() => openApiFileTarget({ path: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
