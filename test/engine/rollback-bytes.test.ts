import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, openApiFileTarget } from '../../src/index.js';
import { MemorySource } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

/** A file a person wrote by hand: comments, their own key order and quoting. */
const handWritten = `# Our pet store, edited by hand
paths:
  /pets:
    get:
      summary: 'List pets 0'   # kept short on purpose
      operationId: listPets0
      responses: { '200': { description: ok } }
info: { version: 1.0.0, title: Petstore }
openapi: "3.0.3"
x-owner: team-pets
`;

async function setup(file: string, journalBytes?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'als-rollback-'));
  const path = join(dir, file);
  const source = new MemorySource(petstore(1));
  const engine = new SyncEngine({ store: new FileStore({ dir: join(dir, '.store') }) });
  await engine.addSource({
    id: 'api',
    source,
    target: openApiFileTarget({ path }),
    ...(journalBytes === undefined ? {} : { policy: { journalBytes } }),
  });
  await engine.syncNow('api');
  return { dir, path, source, engine };
}

describe('rollback restores the file byte for byte', () => {
  it.each(['api.yaml', 'api.json'])('%s: comments, key order and quoting come back exactly', async (file) => {
    const { path, source, engine } = await setup(file);
    const before = file.endsWith('.yaml')
      ? handWritten
      : `{"x-owner":"team-pets",\n"paths":{"/pets":{"get":{"summary":"List pets 0","operationId":"listPets0","responses":{"200":{"description":"ok"}}}}},\n"info":{"version":"1.0.0","title":"Petstore"},"openapi":"3.0.3"}\n`;
    await writeFile(path, before);
    const next = petstore(4) as { paths: Record<string, { get: { summary: string } }> };
    next.paths['/pets']!.get.summary = 'List all pets';
    source.set(next);
    await engine.syncNow('api');
    const synced = await readFile(path, 'utf8');
    expect(synced).not.toBe(before);
    expect(synced).toContain('List all pets');
    await engine.rollback('api');
    expect(await readFile(path, 'utf8')).toBe(before);
    // Rolling back the rollback brings the sync back, byte for byte too.
    await engine.rollback('api');
    expect(await readFile(path, 'utf8')).toBe(synced);
  });

  it('restores values when the journal keeps no bytes (journalBytes: 0)', async () => {
    const { path, source, engine } = await setup('api.yaml', 0);
    await writeFile(path, handWritten);
    source.set(petstore(3));
    await engine.syncNow('api');
    await engine.rollback('api');
    expect(parse(await readFile(path, 'utf8'))).toEqual(parse(handWritten));
  });

  it('keeps exact bytes only for the newest journalBytes entries', async () => {
    const { dir, source, engine } = await setup('api.json', 2);
    for (let n = 2; n <= 5; n++) {
      source.set(petstore(n));
      await engine.syncNow('api');
    }
    expect((await engine.getJournal('api')).map((e) => e.id)).toEqual(['j-1', 'j-2', 'j-3', 'j-4', 'j-5']);
    const kept = (await readdir(join(dir, '.store', 'api'))).filter((n) => n.endsWith('.before.json')).sort();
    expect(kept).toEqual(['journal.j-4.before.json', 'journal.j-5.before.json']);
    // Further back, a rollback restores values.
    await engine.rollback('api', 'j-3');
    expect(JSON.parse(await readFile(join(dir, 'api.json'), 'utf8'))).toEqual(petstore(2));
  });
});
