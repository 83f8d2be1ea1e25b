// Child process for the Bruno engine crash test: syncs version <version> of the document into the folder <dir>/coll
// (store in <dir>/.store) and kills itself (SIGKILL) right after the folder write replaced its <n>th file.
import { FileStore, SyncEngine, functionSource } from '../../../src/index.js';
import { brunoTarget } from '../../../src/targets/bruno/index.js';
import { setBrunoFolderStepHook } from '../../../src/targets/bruno/folder.js';
import { crashDocument } from './engine-crash-doc.js';

const [dir, versionText, killAfter] = process.argv.slice(2) as [string, string, string];
let applied = 0;
setBrunoFolderStepHook((step) => {
  if (step === 'applied' && ++applied === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
});
const engine = new SyncEngine({ store: new FileStore({ dir: `${dir}/.store` }) });
await engine.addSource({
  id: 'api',
  source: functionSource(() => crashDocument(Number(versionText))),
  target: brunoTarget({ dir: `${dir}/coll` }),
  maxRetries: 0,
  policy: { maxRemovalShare: 1 },
});
await engine.syncNow('api');
