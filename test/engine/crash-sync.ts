// Child process for the crash tests: syncs a binding whose store and target live in <dir>, and
// kills itself (SIGKILL) at one step of the write sequence.
//
//   crash-sync.ts <dir> <openapi|hoppscotch> list <version>     sync once, print every step (JSON lines)
//   crash-sync.ts <dir> <openapi|hoppscotch> <k> <version>      sync once, SIGKILL right after step k
//   crash-sync.ts <dir> <openapi|hoppscotch> loop <version>     sync version, version + 1, … until killed, printing each
//
// Steps are every store write (after it completed) and every step of the target file's write.
import { FileStore, SyncEngine, functionSource, type SyncStore } from '../../src/index.js';
import { setLocalFileStepHook } from '../../src/targets/local-file.js';
import { crashBinding } from './crash-support.js';

const [dir, kind, mode, versionText] = process.argv.slice(2) as [string, 'openapi' | 'hoppscotch', string, string];
const crashAt = mode === 'list' || mode === 'loop' ? undefined : Number(mode);
let steps = 0;

function step(name: string): void {
  steps += 1;
  if (mode === 'list') process.stdout.write(`${JSON.stringify({ step: steps, name })}\n`);
  if (steps === crashAt) process.kill(process.pid, 'SIGKILL');
}

const inner = new FileStore({ dir: `${dir}/.store` });
const store: SyncStore = {
  getBase: (id) => inner.getBase(id),
  getValidators: (id) => inner.getValidators(id),
  getRecord: (id, key) => inner.getRecord(id, key),
  deleteBinding: (id) => inner.deleteBinding(id),
  saveBase: async (id, record) => {
    await inner.saveBase(id, record);
    step('store: base');
  },
  saveValidators: async (id, validators) => {
    await inner.saveValidators(id, validators);
    step('store: validators');
  },
  setRecord: async (id, key, value) => {
    await inner.setRecord(id, key, value);
    step(`store: set ${key}`);
  },
  deleteRecord: async (id, key) => {
    await inner.deleteRecord(id, key);
    step(`store: delete ${key}`);
  },
};
setLocalFileStepHook((at) => step(`target file: ${at}`));

let version = Number(versionText);
const { target } = crashBinding(dir, kind, version);
// A function source: no validators of its own, so a new process always loads (and hashes) what it returns.
const source = functionSource(() => crashBinding(dir, kind, version).source);
const engine = new SyncEngine({ store });
await engine.addSource({ id: 'api', source, target, maxRetries: 0, policy: { maxRemovalShare: 1 } });
if (mode === 'loop') {
  for (; ; version++) {
    await engine.syncNow('api');
    process.stdout.write(`${version}\n`);
  }
} else {
  await engine.syncNow('api');
}
