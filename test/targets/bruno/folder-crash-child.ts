// Child process for the BrunoFolder crash test: replaces a collection folder's files and kills itself (SIGKILL)
// at one step of the write (`applied:N`: after the Nth file was replaced).
import { BrunoFolder, setBrunoFolderStepHook, type BrunoFolderStep } from '../../../src/targets/bruno/folder.js';

const [dir, at, next] = process.argv.slice(2) as [string, string, string];
const [step, count] = at.split(':') as [BrunoFolderStep, string | undefined];
let applied = 0;
setBrunoFolderStepHook((reached) => {
  if (reached === 'applied') applied++;
  if (reached === step && (count === undefined || applied === Number(count))) process.kill(process.pid, 'SIGKILL');
});
const folder = new BrunoFolder(dir);
const before = await folder.read();
const files = new Map(Object.entries(JSON.parse(next) as Record<string, string>).map(([path, text]) => [path, Buffer.from(text)]));
await folder.write(files, before ?? null);
