#!/usr/bin/env node
/**
 * The `api-live-sync` executable: runs {@link runCli} on the process's
 * arguments and exits with its code. The first SIGINT or SIGTERM stops
 * gracefully (watch exits 0, other commands 130); a second one exits at once
 * with 130.
 *
 * @module
 */
import { runCli } from './run.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130);
  controller.abort(name);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
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
