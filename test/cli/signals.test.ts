/**
 * A second SIGINT or SIGTERM ends the CLI at once, even while its graceful
 * stop cannot finish: here a config module waits for an API that accepts the
 * connection and never answers, or for a FIFO nobody writes (a thread of
 * libuv's pool blocked in `open`, which `process.exit()` would wait for).
 */
import { execFileSync } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, startCli, tempDir, waitForOutput, type CliRun } from './helpers.js';

/** The status a shell reports: the exit code, or 128 + the number of the signal the process died of. */
function shellStatus(run: CliRun): number {
  if (run.signal !== null) return 128 + osConstants.signals[run.signal];
  return run.code ?? -1;
}

describe('a second signal ends the CLI at once', { timeout: 60_000 }, () => {
  let temp: ReturnType<typeof tempDir>;
  let hang: Server;
  let hangUrl: string;
  const waiting: IncomingMessage[] = [];

  beforeAll(async () => {
    temp = tempDir();
    // Accepts the request and never answers.
    hang = createServer((req) => void waiting.push(req));
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/bindings`;
  });
  afterAll(async () => {
    hang.closeAllConnections();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
    temp.dispose();
  });

  it('SIGINT, then SIGINT while the first stop waits for a silent API: ends by SIGINT (status 130), saying so', async () => {
    const config = join(temp.dir, 'silent-api.config.mjs');
    writeFileSync(config, `export default async () => (await fetch(${JSON.stringify(hangUrl)})).json();\n`);
    const child = startCli(['sync', '--config', config], temp.dir);
    const done = finished(child, 20_000);
    const before = waiting.length;
    const deadline = Date.now() + 15_000;
    while (waiting.length === before && Date.now() < deadline) await sleep(20);
    expect(waiting.length).toBeGreaterThan(before);

    child.kill('SIGINT');
    await sleep(500);
    // The graceful stop cannot finish: the config module is still waiting.
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    const second = Date.now();
    child.kill('SIGINT');
    const run = await done;
    expect(Date.now() - second).toBeLessThan(2000);
    expect(shellStatus(run)).toBe(130);
    expect(run.stderr).toMatch(/SIGINT/);
  });

  it('SIGINT, then SIGTERM while a thread of the pool is blocked opening a FIFO: ends by SIGTERM (status 143) at once', async () => {
    const fifo = join(temp.dir, 'never-written');
    execFileSync('mkfifo', [fifo]);
    const config = join(temp.dir, 'fifo.config.mjs');
    writeFileSync(
      config,
      `import { open } from 'node:fs/promises';\nexport default async () => {\n  process.stderr.write('config: opening the FIFO\\n');\n  await open(${JSON.stringify(fifo)}, 'r');\n  return { bindings: [] };\n};\n`,
    );
    const child = startCli(['sync', '--config', config], temp.dir);
    const done = finished(child, 20_000);
    await waitForOutput(child.stderr!, (text) => text.includes('opening the FIFO'), 15_000);
    await sleep(300);

    child.kill('SIGINT');
    await sleep(500);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    const second = Date.now();
    child.kill('SIGTERM');
    const run = await done;
    expect(Date.now() - second).toBeLessThan(2000);
    expect(shellStatus(run)).toBe(143);
    expect(run.stderr).toMatch(/SIGTERM/);
  });
});
