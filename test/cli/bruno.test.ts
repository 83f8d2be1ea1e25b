/**
 * `--format bruno` on sync, plan, check, rollback and watch: the same flags
 * and the same exit codes as `--format hoppscotch`, run for real, on the same
 * story; the folder written is a Bruno collection.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, cli, finished, startCli, tempDir, waitForOutput } from './helpers.js';

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => temp.dispose());

/** The exit codes of one story: first sync, check, upstream change, check, plan, sync, check, rollback, held sync, bad flag. */
async function story(format: 'bruno' | 'hoppscotch', out: string): Promise<number[]> {
  const dir = join(temp.dir, format);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(api(['/pets', '/pets/{id}', '/store', '/owners'])));
  const flags = ['--out', out, '--format', format];
  const codes: number[] = [];
  const run = async (args: string[]) => {
    const result = await cli(args, dir);
    codes.push(result.code ?? -1);
    return result;
  };
  await run(['sync', 'spec.json', ...flags]);
  await run(['check', 'spec.json', ...flags]);
  writeFileSync(spec, JSON.stringify(api(['/pets', '/pets/{id}', '/store', '/owners', '/orders'])));
  await run(['check', 'spec.json', ...flags]);
  await run(['plan', 'spec.json', ...flags]);
  await run(['sync', 'spec.json', ...flags, '--json']);
  await run(['check', 'spec.json', ...flags]);
  await run(['rollback', ...flags]);
  // Most operations gone at once: the removal rail holds the sync.
  writeFileSync(spec, JSON.stringify(api(['/pets'])));
  await run(['sync', 'spec.json', ...flags, '--policy', 'maxRemovalShare=0.5']);
  await run(['sync', 'spec.json', ...flags, '--policy', 'nonsense=1']);
  return codes;
}

describe('api-live-sync --format bruno', { timeout: 120_000 }, () => {
  it('gives the exit codes --format hoppscotch gives, and writes a Bruno collection folder', async () => {
    const bruno = await story('bruno', 'collection');
    const hoppscotch = await story('hoppscotch', 'collection.json');
    expect(bruno).toEqual(hoppscotch);
    expect(bruno).toEqual([0, 0, 1, 0, 0, 0, 0, 1, 2]);
    const folder = join(temp.dir, 'bruno', 'collection');
    expect(JSON.parse(readFileSync(join(folder, 'bruno.json'), 'utf8'))).toMatchObject({
      version: '1',
      type: 'collection',
      name: 'Test API',
    });
    // Rolled back to before /orders arrived; the held sync wrote nothing.
    expect(existsSync(join(folder, 'Get -pets.bru'))).toBe(true);
    expect(existsSync(join(folder, 'Get -orders.bru'))).toBe(false);
    expect(readFileSync(join(folder, 'Get -pets-{id}.bru'), 'utf8')).toContain('url: {{baseUrl}}/pets/:id');
  });

  it('refuses a file name for a Bruno folder, and an unknown format, as usage errors', async () => {
    const spec = join(temp.dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(api(['/pets'])));
    const file = await cli(['sync', 'spec.json', '--out', 'pets.json', '--format', 'bruno'], temp.dir);
    const hopp = await cli(['sync', 'spec.json', '--out', 'pets.yaml', '--format', 'hoppscotch'], temp.dir);
    expect(file.code).toBe(hopp.code);
    expect(file.code).not.toBe(0);
    expect(existsSync(join(temp.dir, 'pets.json'))).toBe(false);
  });

  it('watch --format bruno applies a change to the spec file and stops on SIGTERM with exit 0', async () => {
    const spec = join(temp.dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(api(['/a'])));
    const child = startCli(['watch', 'spec.json', '--out', 'coll', '--format', 'bruno', '--interval', '600000', '--json'], temp.dir);
    const done = finished(child);
    await waitForOutput(child.stdout!, (text) => text.includes('"event":"sync:applied"'));
    writeFileSync(spec, JSON.stringify(api(['/a', '/b'])));
    await waitForOutput(child.stdout!, (text) => text.includes('"event":"sync:applied"'));
    expect(existsSync(join(temp.dir, 'coll', 'Get -b.bru'))).toBe(true);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
