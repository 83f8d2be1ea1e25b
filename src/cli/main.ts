#!/usr/bin/env node
/**
 * The `api-live-sync` executable: runs {@link runCli} on the process's
 * arguments and exits with its code. The first SIGINT or SIGTERM stops
 * gracefully (watch and worker exit 0, other commands 130); a second one ends the
 * process at once, whatever it is waiting for: it says so on stderr and
 * dies of that signal (shells report 130 for SIGINT, 143 for SIGTERM).
 *
 * @module
 */
import { runCli } from './run.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) endNow(name);
  else controller.abort(name);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/**
 * End the process at once. `process.exit()` is not enough: it waits for
 * libuv's thread pool, and a thread blocked in an open (a FIFO, a hung
 * network file system) never returns. Dying of the signal itself (our
 * listeners removed, the signal raised again) ends it at once, and is what a
 * shell expects of a program interrupted twice.
 */
function endNow(name: NodeJS.Signals): void {
  process.stderr.write(`\n${name} again: exiting now, without waiting for the graceful stop\n`);
  process.removeAllListeners(name);
  const code = 128 + (name === 'SIGINT' ? 2 : 15);
  if (process.platform === 'win32') process.exit(code);
  process.kill(process.pid, name);
}
// A closed pipe (`api-live-sync plan | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  signal: controller.signal,
  ...(process.argv[1] === undefined ? {} : { scriptPath: process.argv[1] }),
}).then((code) => {
  process.exitCode = code;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Whatever still holds the event loop (a keep-alive socket, a watcher) must not keep a finished command alive.
  setTimeout(() => process.exit(code), 1500).unref();
});
