/**
 * Binding ids at the CLI's entries: the config file's `id` (or the file name
 * of its `out`) and the file name of `--out`. A bad one exits 2 with
 * `BINDING_ID_INVALID` before anything is written.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/cli/config.js';
import { isSyncError } from '../../src/index.js';
import { api, cli, tempDir } from './helpers.js';

const BAD_IDS = ['..', '.', 'a/b', '', 'x'.repeat(129)];

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isSyncError(error) ? error.code : `not a SyncError: ${String(error)}`;
  }
  return 'no error';
}

describe('binding ids in the CLI', { timeout: 60_000 }, () => {
  let temp: ReturnType<typeof tempDir>;

  beforeAll(() => {
    temp = tempDir();
    writeFileSync(join(temp.dir, 'spec.json'), JSON.stringify(api(['/pets'])));
  });
  afterAll(() => temp.dispose());

  it('the config file refuses an id, or an `out` file name, that is not a binding id', () => {
    const path = join(temp.dir, 'live-sync.config.json');
    for (const id of BAD_IDS) {
      expect(
        codeOf(() => validateConfig({ bindings: [{ id, source: 'spec.json', out: 'a.json' }] }, path)),
        JSON.stringify(id),
      ).toBe('BINDING_ID_INVALID');
    }
    expect(codeOf(() => validateConfig({ bindings: [{ source: 'spec.json', out: 'line\nbreak.json' }] }, path))).toBe('BINDING_ID_INVALID');
    expect(codeOf(() => validateConfig({ bindings: [{ source: 'spec.json', out: `${'x'.repeat(124)}.json` }] }, path))).toBe(
      'BINDING_ID_INVALID',
    );
    expect(validateConfig({ bindings: [{ id: 'pets "main"', source: 'spec.json', out: 'a.json' }] }, path).bindings[0]!.id).toBe(
      'pets "main"',
    );
  });

  it('a config binding with the id `..` exits 2 and writes nothing, in the store folder or beside it', async () => {
    const project = join(temp.dir, 'dots');
    mkdirSync(project);
    writeFileSync(join(project, 'spec.json'), JSON.stringify(api(['/pets'])));
    writeFileSync(
      join(project, 'live-sync.config.json'),
      JSON.stringify({ store: 'state', bindings: [{ id: '..', source: 'spec.json', out: 'out/pets.json' }] }),
    );
    const run = await cli(['sync', '--json'], project);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('BINDING_ID_INVALID');
    expect(readdirSync(project).sort()).toEqual(['live-sync.config.json', 'spec.json']);
  });

  it('an --out whose file name is not a binding id exits 2 before anything is written', async () => {
    const project = join(temp.dir, 'long');
    mkdirSync(project);
    const out = `${'y'.repeat(130)}.json`;
    const run = await cli(['sync', join(temp.dir, 'spec.json'), '--out', out, '--json'], project);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('BINDING_ID_INVALID');
    expect(readdirSync(project)).toEqual([]);
  });
});
