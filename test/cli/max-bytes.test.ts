/**
 * `--max-bytes` and the config's `maxBytes`, and the rule that a file the
 * CLI wrote is a file the CLI reads: a spec generated in the test is synced
 * from a real HTTP server into a pretty-printed file larger than the limit,
 * which `diff` and a chained `sync` then read. Limits are set low (a few
 * megabytes) to keep the test fast; the engine test at the end loads a
 * generated document past the 50 MB default.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseByteSize, parseCommandLine } from '../../src/cli/args.js';
import { validateConfig } from '../../src/cli/config.js';
import { SyncEngine, httpSource } from '../../src/index.js';
import { fileSource } from '../../src/sources/file.js';
import { MemoryTarget } from '../../src/testing/index.js';
import { cli, serveDocument, tempDir, type DocServer } from './helpers.js';

const MB = 1024 * 1024;

/**
 * An API whose compact JSON is about `mb` megabytes: many small operations
 * with nested schemas, which pretty-printing makes about twice as large
 * (as Microsoft Graph's 47 MB became 74 MB).
 */
function generatedSpec(mb: number, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schema = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string' }, n: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { type: 'string' } } },
  };
  const one =
    JSON.stringify({
      get: {
        operationId: 'getItem000000',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } },
      },
    }).length + 24;
  const count = Math.ceil((mb * MB) / one);
  for (let i = 0; i < count; i++) {
    paths[`/items${i}/{id}`] = {
      get: {
        operationId: `getItem${i}`,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } },
      },
    };
  }
  return { openapi: '3.0.3', info: { title: 'Generated', version }, paths };
}

describe('parseByteSize', () => {
  it('reads bytes and 1024-based units, and refuses anything else', () => {
    expect(parseByteSize('80000000')).toBe(80_000_000);
    expect(parseByteSize('100MB')).toBe(100 * MB);
    expect(parseByteSize('100 mb')).toBe(100 * MB);
    expect(parseByteSize('1.5GB')).toBe(1.5 * 1024 * MB);
    expect(parseByteSize('512k')).toBe(512 * 1024);
    expect(parseByteSize('2MiB')).toBe(2 * MB);
    expect(parseByteSize(4096)).toBe(4096);
    for (const bad of ['', 'MB', '-1', '0', '1.5TB', '10 MBs', '0.0001b', 'ten']) expect(parseByteSize(bad), bad).toBeUndefined();
    expect(parseByteSize(0)).toBeUndefined();
    expect(parseByteSize(1.5)).toBeUndefined();
  });

  it('is the --max-bytes flag of sync, watch, plan, check, diff and discover', () => {
    expect(parseCommandLine(['sync', 'a.json', '--out', 'b.json', '--max-bytes', '100MB'])).toMatchObject({ maxBytes: 100 * MB });
    expect(parseCommandLine(['watch', '--max-bytes', '1GB'])).toMatchObject({ maxBytes: 1024 * MB });
    expect(parseCommandLine(['diff', 'a.json', 'b.json', '--max-bytes', '2048'])).toMatchObject({ maxBytes: 2048 });
    expect(parseCommandLine(['discover', 'http://localhost:1', '--max-bytes', '20MB'])).toMatchObject({ maxBytes: 20 * MB });
    expect(() => parseCommandLine(['sync', 'a.json', '--out', 'b.json', '--max-bytes', 'lots'])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(parseCommandLine(['sync', 'a.json', '--out', 'b.json'])).not.toHaveProperty('maxBytes');
  });

  it('is the config key maxBytes, for every binding and per binding', () => {
    const config = validateConfig(
      {
        maxBytes: '100MB',
        bindings: [
          { source: 'a.json', out: 'x.json' },
          { source: 'b.json', out: 'y.json', maxBytes: 1000 },
        ],
      },
      '/tmp/live-sync.config.json',
    );
    expect(config.bindings.map((b) => b.maxBytes)).toEqual([100 * MB, 1000]);
    expect(validateConfig({ bindings: [{ source: 'a.json', out: 'x.json' }] }, '/tmp/c.json').bindings[0]).not.toHaveProperty('maxBytes');
    expect(() => validateConfig({ maxBytes: 'big', bindings: [{ source: 'a.json', out: 'x.json' }] }, '/tmp/c.json')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => validateConfig({ bindings: [{ source: 'a.json', out: 'x.json', maxBytes: -5 }] }, '/tmp/c.json')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('a file the CLI writes is a file the CLI reads', { timeout: 120_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;
  const limit = '1536KB';

  beforeAll(async () => {
    temp = tempDir();
    // About 1 MB on the wire (under the limit); written pretty-printed, the file passes 1.5 MB.
    server = await serveDocument(generatedSpec(1, '1'));
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  it('sync --max-bytes writes a local copy larger than the limit it was read under', async () => {
    const run = await cli(['sync', server.url, '--out', 'big.json', '--max-bytes', limit, '--json'], temp.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(statSync(join(temp.dir, 'big.json')).size).toBeGreaterThan(parseByteSize(limit)!);
  });

  it('diff and a chained sync read that file under the same limit (it follows what was written)', async () => {
    writeFileSync(join(temp.dir, 'small.json'), JSON.stringify(generatedSpec(0.1, '2')));
    const diff = await cli(['diff', 'big.json', 'small.json', '--max-bytes', limit, '--json'], temp.dir);
    expect(diff.stderr).toBe('');
    expect(diff.code).toBe(0);
    expect(JSON.parse(diff.stdout).counts.breaking).toBeGreaterThan(0);
    // Even without the flag: the default limit is the larger of 50 MB and what was written.
    expect((await cli(['diff', 'big.json', 'small.json', '--json'], temp.dir)).code).toBe(0);

    const chained = await cli(['sync', 'big.json', '--out', 'big.hoppscotch.json', '--max-bytes', limit, '--json'], temp.dir);
    expect(chained.stderr).toBe('');
    expect(chained.code).toBe(0);
    expect(JSON.parse(chained.stdout).bindings[0].outcome).toBe('applied');
    expect(existsSync(join(temp.dir, 'big.hoppscotch.json'))).toBe(true);
  });

  it('a file nobody recorded writing is refused over the limit, with a hint that names --max-bytes and a size that fits', async () => {
    renameSync(join(temp.dir, '.api-live-sync'), join(temp.dir, 'store-moved-away'));
    const run = await cli(['diff', 'big.json', 'small.json', '--max-bytes', limit, '--json'], temp.dir);
    expect(run.code).toBe(3);
    const found = (JSON.parse(run.stdout) as { error: { code: string; hint: string } }).error;
    expect(found.code).toBe('SOURCE_TOO_LARGE');
    const size = statSync(join(temp.dir, 'big.json')).size;
    const suggested = /--max-bytes (\d+MB)/.exec(found.hint)?.[1];
    expect(parseByteSize(suggested ?? '')).toBeGreaterThanOrEqual(size);
    // Raised as the hint says, it reads.
    expect((await cli(['diff', 'big.json', 'small.json', '--max-bytes', suggested!, '--json'], temp.dir)).code).toBe(0);
  });

  it('the config file sets maxBytes for a binding chained on another binding’s output', async () => {
    writeFileSync(
      join(temp.dir, 'live-sync.config.json'),
      JSON.stringify({
        maxBytes: limit,
        bindings: [
          { id: 'api', source: server.url, out: 'chain/api.json' },
          { id: 'client', source: 'chain/api.json', out: 'chain/api.hoppscotch.json', dependsOn: ['api'] },
        ],
      }),
    );
    const run = await cli(['sync', '--json'], temp.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).bindings.map((b: { outcome: string }) => b.outcome)).toEqual(['applied', 'applied']);
    expect(statSync(join(temp.dir, 'chain/api.json')).size).toBeGreaterThan(parseByteSize(limit)!);
    expect(JSON.parse(readFileSync(join(temp.dir, 'chain/api.hoppscotch.json'), 'utf8')).name).toBe('Generated');
  });
});

describe('the engine loads what the source read, under the source’s limit', () => {
  it('a 60 MB file read under maxBytes 70 MB loads (the loader used to refuse it at its own 50 MB)', { timeout: 60_000 }, async () => {
    const temp = tempDir();
    try {
      const path = join(temp.dir, 'huge.json');
      const text = JSON.stringify({
        openapi: '3.0.3',
        info: { title: 'Huge', version: '1', description: 'x'.repeat(60 * MB) },
        paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
      });
      writeFileSync(path, text);
      const engine = new SyncEngine();
      await engine.addSource({ id: 'huge', source: fileSource({ path, maxBytes: 70 * MB }), target: new MemoryTarget() });
      await expect(engine.syncNow('huge')).resolves.toMatchObject({ outcome: 'applied' });
      await engine.stopSync();
    } finally {
      temp.dispose();
    }
  });

  it('the same for a 60 MB body over HTTP read under maxBytes 70 MB', { timeout: 60_000 }, async () => {
    const server = await serveDocument({
      openapi: '3.0.3',
      info: { title: 'Huge', version: '1', description: 'x'.repeat(60 * MB) },
      paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
    });
    try {
      const engine = new SyncEngine();
      await engine.addSource({ id: 'huge', source: httpSource({ url: server.url, maxBytes: 70 * MB }), target: new MemoryTarget() });
      await expect(engine.syncNow('huge')).resolves.toMatchObject({ outcome: 'applied' });
      await engine.stopSync();
    } finally {
      await server.close();
    }
  });
});
