/**
 * FIFOs where the CLI expects files: a config file, a source, a `diff`
 * operand. Each is refused at once with a typed code; none blocks the
 * program (opening a FIFO for reading waits for a writer).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, finished, startCli, tempDir } from './helpers.js';

describe('the CLI and special files', { timeout: 60_000 }, () => {
  let temp: ReturnType<typeof tempDir>;
  const fifos: string[] = [];

  beforeAll(() => {
    temp = tempDir();
    writeFileSync(join(temp.dir, 'spec.json'), JSON.stringify(api(['/pets'])));
    for (const name of ['live-sync.config.json', 'config.mjs', 'openapi.json']) {
      const path = join(temp.dir, name);
      execFileSync('mkfifo', [path]);
      fifos.push(path);
    }
  });
  afterAll(() => {
    // Release a reader a failing run left blocked in its open.
    for (const path of fifos) {
      try {
        closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody waits on it.
      }
    }
    temp.dispose();
  });

  /** Run the CLI; a run that blocks is killed after 15 s and fails the test. */
  async function run(args: string[]): Promise<{ code: number | null; json: { error?: { code: string } }; ms: number }> {
    const started = Date.now();
    const child: ChildProcess = startCli([...args, '--json'], temp.dir);
    const result = await finished(child, 15_000);
    return { code: result.code, json: JSON.parse(result.stdout || '{}') as { error?: { code: string } }, ms: Date.now() - started };
  }

  it('a config file that is a FIFO (JSON or module) exits 2 with CONFIG_INVALID', async () => {
    const json = await run(['plan']);
    expect(json.code).toBe(2);
    expect(json.json.error?.code).toBe('CONFIG_INVALID');
    const module = await run(['plan', '--config', 'config.mjs']);
    expect(module.code).toBe(2);
    expect(module.json.error?.code).toBe('CONFIG_INVALID');
  });

  it('a source or a diff operand that is a FIFO exits 3 with SOURCE_NOT_A_FILE', async () => {
    const sync = await run(['sync', 'openapi.json', '--out', 'out.json']);
    expect(sync.code).toBe(3);
    expect((sync.json as { bindings?: Array<{ error?: { code: string } }> }).bindings?.[0]?.error?.code).toBe('SOURCE_NOT_A_FILE');
    const diff = await run(['diff', 'openapi.json', 'spec.json']);
    expect(diff.code).toBe(3);
    expect(diff.json.error?.code).toBe('SOURCE_NOT_A_FILE');
  });
});
