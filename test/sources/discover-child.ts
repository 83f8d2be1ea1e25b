// Child process of the discovery memory test: runs discoverSpec (default
// options) against the base URL in argv and prints one JSON line: the error
// code, the outcomes of the probes, the resident set size at the start, and
// its peak as the kernel counted it (VmHWM) and as sampled every 5 ms.
import { readFileSync } from 'node:fs';
import { isSyncError } from '../../src/errors.js';
import { discoverSpec } from '../../src/sources/discovery.js';

const startRss = process.memoryUsage().rss;
let sampledPeakRss = startRss;
const sampler = setInterval(() => {
  sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage().rss);
}, 5);
let code = 'FOUND';
let outcomes: string[] = [];
try {
  await discoverSpec(process.argv[2]!);
} catch (error) {
  code = isSyncError(error) ? error.code : `UNEXPECTED ${String(error)}`;
  if (isSyncError(error)) outcomes = [...new Set((error.details.tried as Array<{ outcome: string }> | undefined)?.map((t) => t.outcome))];
}
clearInterval(sampler);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(
  `${JSON.stringify({ code, outcomes, startRss, sampledPeakRss, vmHwm: hwm === null ? sampledPeakRss : Number(hwm[1]) * 1024 })}\n`,
);
