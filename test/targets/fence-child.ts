/**
 * A writer process for fence.test.ts.
 * - `hammer <file> <log> <tokens,…>`: a fenced write per token, in order; each
 *   logs `start <token> <pid>` and `end <token> <pid>` inside the lock, and
 *   the process prints one line per token: `<token> ok` or `<token> <code>`.
 * - `hold <file> <token>`: take the lock and stay inside the write forever
 *   (prints `locked`), to be killed or stopped by the test.
 */
import { appendFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fencedFileWrite, isSyncError } from '../../src/index.js';

const [mode, file, ...rest] = process.argv.slice(2) as [string, string, ...string[]];

if (mode === 'hammer') {
  const [log, list] = rest as [string, string];
  for (const token of list.split(',').map(Number)) {
    try {
      await fencedFileWrite(file, { token, lockTimeoutMs: 30_000 }, async () => {
        appendFileSync(log, `start ${token} ${process.pid}\n`);
        await writeFile(file, `written by epoch ${token}\n`);
        await new Promise((resolve) => setTimeout(resolve, token % 3));
        appendFileSync(log, `end ${token} ${process.pid}\n`);
      });
      process.stdout.write(`${token} ok\n`);
    } catch (error) {
      process.stdout.write(`${token} ${isSyncError(error) ? error.code : String(error)}\n`);
    }
  }
} else if (mode === 'hold') {
  const token = Number(rest[0]);
  await fencedFileWrite(file, { token }, async () => {
    process.stdout.write('locked\n');
    await new Promise(() => undefined);
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
