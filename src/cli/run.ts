/**
 * The CLI as a function: parse, dispatch, report errors, return the exit
 * code. `main.ts` wires it to the process.
 *
 * @module
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isSyncError } from '../index.js';
import { parseCommandLine, UsageError, type ParsedCommand } from './args.js';
import {
  checkCommand,
  diffCommand,
  discoverCommand,
  EXIT,
  exitCodeOf,
  journalCommand,
  planCommand,
  rollbackCommand,
  syncCommand,
  watchCommand,
  type CliContext,
} from './commands.js';
import { statusCommand, workerCommand } from './cluster.js';
import { errorJson, formatError } from './format.js';
import { commandHelp, generalHelp, USAGE } from './help.js';

/** What the CLI needs from its process. */
export interface CliIo {
  stdout: CliContext['stdout'];
  stderr: CliContext['stderr'];
  cwd: string;
  /** Aborted (with the signal's name as reason) by the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** The path of the running script, to find the package version. */
  scriptPath?: string;
}

/** The version of the package the CLI runs from, or `unknown`. */
export function packageVersion(scriptPath: string | undefined): string {
  if (scriptPath === undefined) return 'unknown';
  let dir: string;
  try {
    dir = dirname(realpathSync(scriptPath));
  } catch {
    return 'unknown';
  }
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'api-live-sync' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return 'unknown';
}

/**
 * Run the CLI with `argv` (without `node` and the script) and resolve with
 * the exit code: 0 success, 1 attention (drift, held, --fail-on), 2 usage or
 * configuration, 3 failure, 130 interrupted. Never throws.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx: CliContext = { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd, signal: io.signal };
  let parsed: ParsedCommand;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    const command = error instanceof UsageError ? error.command : undefined;
    for (const text of formatError(error, argv.includes('--verbose'))) io.stderr.write(`${text}\n`);
    io.stderr.write(
      command
        ? `usage: ${USAGE[command]}\n`
        : `usage:\n${Object.values(USAGE)
            .map((u) => `  ${u}`)
            .join('\n')}\n`,
    );
    if (argv.includes('--json'))
      io.stdout.write(`${JSON.stringify({ command: command ?? null, exitCode: EXIT.usage, error: errorJson(error) }, null, 2)}\n`);
    return EXIT.usage;
  }
  try {
    const code = await dispatch(parsed, ctx, io);
    if (io.signal.aborted && parsed.command !== 'watch' && parsed.command !== 'worker') {
      io.stderr.write(`interrupted (${String(io.signal.reason)})\n`);
      return EXIT.interrupted;
    }
    return code;
  } catch (error) {
    if (io.signal.aborted && parsed.command !== 'watch' && parsed.command !== 'worker') {
      io.stderr.write(`interrupted (${String(io.signal.reason)})\n`);
      return EXIT.interrupted;
    }
    const code = exitCodeOf(error);
    for (const text of formatError(error, parsed.verbose)) io.stderr.write(`${text}\n`);
    if (code === EXIT.usage && error instanceof UsageError)
      io.stderr.write(`usage: ${USAGE[error.command ?? (parsed.command === 'version' ? 'help' : parsed.command)]}\n`);
    if (parsed.json) io.stdout.write(`${JSON.stringify({ command: parsed.command, exitCode: code, error: errorJson(error) }, null, 2)}\n`);
    if (!isSyncError(error) && !parsed.verbose) io.stderr.write('(rerun with --verbose for the stack trace)\n');
    return code;
  }
}

async function dispatch(parsed: ParsedCommand, ctx: CliContext, io: CliIo): Promise<number> {
  switch (parsed.command) {
    case 'help': {
      const text = parsed.topic === undefined ? generalHelp() : commandHelp(parsed.topic);
      ctx.stdout.write(
        parsed.json
          ? `${JSON.stringify({ command: 'help', exitCode: EXIT.ok, ...(parsed.topic === undefined ? {} : { topic: parsed.topic }), text })}\n`
          : `${text}\n`,
      );
      return EXIT.ok;
    }
    case 'version': {
      const version = packageVersion(io.scriptPath);
      ctx.stdout.write(
        parsed.json ? `${JSON.stringify({ command: 'version', exitCode: EXIT.ok, version })}\n` : `api-live-sync ${version}\n`,
      );
      return EXIT.ok;
    }
    case 'sync':
      return syncCommand(parsed, ctx);
    case 'watch':
      return watchCommand(parsed, ctx);
    case 'plan':
      return planCommand(parsed, ctx);
    case 'check':
      return checkCommand(parsed, ctx);
    case 'diff':
      return diffCommand(parsed, ctx);
    case 'rollback':
      return rollbackCommand(parsed, ctx);
    case 'journal':
      return journalCommand(parsed, ctx);
    case 'discover':
      return discoverCommand(parsed, ctx);
    case 'worker':
      return workerCommand(parsed, ctx);
    case 'status':
      return statusCommand(parsed, ctx);
  }
}
