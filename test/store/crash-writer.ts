// Child process for the crash test: writes ever-changing records to a FileStore until killed.
import { FileStore } from '../../src/store/index.js';

const dir = process.argv[2]!;
const store = new FileStore({ dir });
const payload = 'x'.repeat(256 * 1024);
let i = 0;
for (;;) {
  i += 1;
  await store.setRecord('crash', 'base', { i, payload, check: `${i}:${payload.length}` });
  process.stdout.write(`${i}\n`);
}
