import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, openApiFileTarget, type TargetContext } from '../../src/index.js';
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

  it.each([-1, 11, 2.5, '  ' as never])('rejects the indent %j', (indent) => {
    expect(() => openApiFileTarget({ path: 'api.json', indent })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('indent') }),
    );
  });
});

const ctx = (): TargetContext => ({
  sourceId: 'api',
  bindingId: 'api',
  signal: new AbortController().signal,
  records: { get: async () => undefined, set: async () => undefined },
});

describe('openApiFileTarget on JSON layouts', () => {
  const layouts: [string, (value: unknown) => string][] = [
    ['tabs', (v) => `${JSON.stringify(v, null, '\t')}\n`],
    ['two spaces, no final newline', (v) => JSON.stringify(v, null, 2)],
    ['four spaces, CRLF', (v) => `${JSON.stringify(v, null, 4)}\n`.replace(/\n/g, '\r\n')],
    ['one line', (v) => `${JSON.stringify(v)}\n`],
    ['a byte order mark', (v) => `\uFEFF${JSON.stringify(v, null, 2)}\n`],
  ];

  it.each(layouts)('keeps %s through a real sync', async (_, format) => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    await writeFile(path, format(petstore(1)));
    const engine = new SyncEngine();
    await engine.addSource({ id: 'api', source: new MemorySource(petstore(3)), target: openApiFileTarget({ path }) });
    const result = await engine.syncNow('api');
    expect(result.written).toBe(true);
    const text = await readFile(path, 'utf8');
    const value = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    expect(value).toEqual(petstore(3));
    expect(text).toBe(format(value));
  });

  it('orders keys as the value it is given (the merged document), not as the file had them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    const { openapi, info, paths } = petstore(1);
    await writeFile(path, `${JSON.stringify({ openapi, info, paths }, null, 2)}\n`);
    const target = openApiFileTarget({ path });
    await target.read(ctx());
    await target.write({ paths: { ...(petstore(2).paths as object) }, info, openapi: '3.0.4' }, ctx());
    const value = JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(value)).toEqual(['paths', 'info', 'openapi']);
    expect(Object.keys(value.paths!)).toEqual(['/pets', '/pets1']);
  });

  it('an explicit indent wins over the detected one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    await writeFile(path, `${JSON.stringify(petstore(1), null, 4)}\n`);
    await openApiFileTarget({ path, indent: '\t' }).write(petstore(2), ctx());
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(petstore(2), null, '\t')}\n`);
  });

  it('does not rewrite a file whose bytes would not change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    await writeFile(path, `${JSON.stringify(petstore(1), null, 2)}\n`);
    const before = await stat(path);
    await openApiFileTarget({ path }).write(petstore(1), ctx());
    expect((await stat(path)).ino).toBe(before.ino);
    await openApiFileTarget({ path }).write(petstore(2), ctx());
    expect((await stat(path)).ino).not.toBe(before.ino);
  });

  it('refuses to write over a JSON file that stopped parsing after read()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    await writeFile(path, JSON.stringify(petstore(1)));
    const target = openApiFileTarget({ path });
    const local = await target.read(ctx());
    await writeFile(path, '{"openapi": ');
    await expect(target.write({ ...local, openapi: '3.0.4' }, ctx())).rejects.toMatchObject({
      code: 'TARGET_CHANGED_DURING_WRITE',
      retryable: true,
    });
    expect(await readFile(path, 'utf8')).toBe('{"openapi": ');
    // A write without a fresh read still refuses a file it cannot parse.
    await expect(openApiFileTarget({ path }).write({ ...local, openapi: '3.0.4' }, ctx())).rejects.toMatchObject({
      code: 'TARGET_INVALID',
      hint: expect.stringContaining('will not overwrite'),
    });
    expect(await readFile(path, 'utf8')).toBe('{"openapi": ');
  });

  it('refuses to write something that is not a document object', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-target-'));
    const path = join(dir, 'api.json');
    await expect(openApiFileTarget({ path }).write([] as never, ctx())).rejects.toMatchObject({
      code: 'TARGET_INVALID',
      message: expect.stringContaining('got a list'),
    });
  });
});
