// Child process for the LocalFile crash test: writes the file and kills itself (SIGKILL) at one step of the write.
import { LocalFile, setLocalFileStepHook, type LocalFileStep } from '../../src/targets/local-file.js';

const [path, step] = process.argv.slice(2) as [string, LocalFileStep];
setLocalFileStepHook((at) => {
  if (at === step) process.kill(process.pid, 'SIGKILL');
});
const file = new LocalFile(path);
const before = await file.read();
await file.write("the engine's copy", before ?? null);
