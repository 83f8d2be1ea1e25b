/**
 * Usage texts of the CLI.
 *
 * @module
 */
import type { CliCommand } from './args.js';

const BINDING_FLAGS = `  -o, --out <file>        the local copy (.json/.yaml OpenAPI, *.hoppscotch.json, *.postman_collection.json,
                          a Bruno collection folder with --format bruno)
  -f, --format <format>   openapi | hoppscotch | postman | bruno (default: from the --out extension)
  -p, --policy <list>     e.g. removal=deprecate,maxRemovalShare=0.5,holdOnBreaking=true
      --resolver <side>   who wins a conflict: local (keep your edit, default) | remote
      --store <dir>       the store (default: .api-live-sync next to --out, or the config's)
  -H, --header <h>        "Name: value" request header for URL sources (repeatable)
      --allow-host <host> URL sources may contact only these hosts, redirects
                          included (repeatable): api.example.com, localhost:3000,
                          *.example.com; replaces the config's allowedHosts
      --max-bytes <size>  largest document the sources read, e.g. 100MB (default
                          50MB; a file api-live-sync wrote is read up to its size)
  -b, --binding <id>      with a config file: only this binding (repeatable)`;

const RETRY_FLAGS = `      --retries <n>       retries of a failed run (sync: 0, watch: 2)
      --restart-grace <ms> wait out a local server that refuses or resets
                          connections (restarting) this long before failures
                          count (sync: 0, watch: 30000); 0 does not wait`;

const GLOBAL_FLAGS = `      --json              one JSON document on stdout
  -v, --verbose           stack traces and more events
  -c, --config <file>     the config file (default: ./live-sync.config.json|.mjs|.js|.ts)
  -h, --help              this help`;

/** One usage line per command, shown with usage errors. */
export const USAGE: Record<CliCommand, string> = {
  sync: 'api-live-sync sync [<source> --out <file>] [options]',
  watch: 'api-live-sync watch [<source> --out <file>] [--interval <ms>] [options]',
  plan: 'api-live-sync plan [<source> --out <file>] [--markdown] [options]',
  check: 'api-live-sync check [<source> --out <file>] [options]',
  diff: 'api-live-sync diff <old> <new> [--fail-on breaking|warning|info]',
  rollback: 'api-live-sync rollback (--out <file> | --binding <id>) [--to <journalId>] [--force]',
  journal: 'api-live-sync journal (--out <file> | --binding <id>)',
  discover: 'api-live-sync discover <baseUrl>',
  worker: 'api-live-sync worker --redis <url> [--config <file>] [--prefix <p>] [--worker-id <id>] [options]',
  status: 'api-live-sync status --redis <url> [--prefix <p>] [--json]',
  help: 'api-live-sync help [<command>]',
};

const DETAILS: Record<CliCommand, string> = {
  sync: `Sync once: fetch <source> (a URL or a file), merge it into the local copy
keeping your edits, write it. Without <source>, every binding of the config file.

Options:
${BINDING_FLAGS}
${RETRY_FLAGS}
      --approve           apply a run that a safety rail held

Exit: 0 applied or unchanged, 1 held by a safety rail, 2 usage, 3 failure.`,
  watch: `Sync continuously: poll URL sources every --interval, watch file sources,
print events as they happen and a live status line (on a terminal).
Ctrl-C (SIGINT) or SIGTERM stops gracefully.

Options:
${BINDING_FLAGS}
  -i, --interval <ms>     poll interval (default 2000)
${RETRY_FLAGS}
      --breaker-threshold <n> failures in a row that pause a binding for 10 s
                          (default 5; 0 never pauses)

With --json, one JSON object per line (JSON Lines), one per event.
Exit: 0 after a graceful stop, 2 usage, 3 when it cannot start.`,
  plan: `Show what a sync would do: the changes by level and operation and the
conflicts with how they would be decided; writes nothing (not the local copy,
not the store).

Options:
${BINDING_FLAGS}
      --markdown          print a Markdown changelog (for a pull request) instead of text

Exit: 0 (also when the plan would be held; see --json "outcome"), 2 usage, 3 failure.`,
  check: `A CI drift gate: exit 1 when a sync would change the local copy (the plan
applies a non-empty patch) or would be held by a safety rail; 0 when in sync.
Writes nothing.

Options:
${BINDING_FLAGS}

Exit: 0 in sync, 1 drift, 2 usage, 3 failure.`,
  diff: `Print the semantic changes from <old> to <new> (files or URLs), grouped by
level and operation.

Options:
      --fail-on <level>   exit 1 when a change at or above breaking|warning|info exists
  -H, --header <h>        "Name: value" request header for URLs (repeatable)
      --allow-host <host> the URLs may contact only these hosts, redirects included (repeatable)
      --max-bytes <size>  largest document read, e.g. 100MB (default 50MB; a file
                          api-live-sync wrote is read up to its size)

Exit: 0, 1 a change at or above --fail-on, 2 usage, 3 a document could not be loaded.`,
  rollback: `Restore the local copy and the base as they were before a journal entry
(default the newest); recorded as a new entry.

Options:
  -o, --out <file>        the local copy (its binding id is its file name)
  -b, --binding <id>      a binding of the config file instead
      --to <journalId>    roll back to before this entry (see \`journal\`)
      --force             even though the local copy changed since the last sync
  -f, --format <format>   openapi | hoppscotch | postman | bruno (default: from the --out extension)
      --store <dir>       the store (default: .api-live-sync next to --out)

Exit: 0 rolled back, 2 usage, 3 refused or failed.`,
  journal: `List the journal of a binding: every applied sync and rollback, oldest first.

Options:
  -o, --out <file>        the local copy (its binding id is its file name)
  -b, --binding <id>      a binding of the config file instead
  -f, --format <format>   openapi | hoppscotch | postman | bruno
      --store <dir>       the store (default: .api-live-sync next to --out)`,
  discover: `Find where the API at <baseUrl> serves its OpenAPI document, and which
framework it probably is.

Options:
  -H, --header <h>        "Name: value" request header (repeatable)
      --allow-host <host> probes may contact only these hosts, redirects included (repeatable)
      --timeout <ms>      per probe (default 5000)
      --max-bytes <size>  largest response body read, e.g. 32MB (default 16MB)

Exit: 0 found, 2 usage, 3 not found or unreachable.`,
  worker: `Run a worker of a scale-out deployment: the bindings of the config file,
shared with every other worker on the same Redis server and prefix through
BullMQ (each binding synced by one worker at a time; see
node_modules/api-live-sync/docs/scale-out.md).
Needs the optional packages ioredis and bullmq. Ctrl-C (SIGINT) or SIGTERM
stops gracefully.

Options:
      --redis <url>       the Redis server, redis:// or rediss:// (required)
      --prefix <p>        the deployment's key prefix (default api-live-sync)
      --worker-id <id>    this worker's id (default <host>:<pid>:<random>)
      --lease-ttl <ms>    lease and job lock TTL (default 30000)
  -i, --interval <ms>     poll interval of bindings that set none (default 2000)
  -b, --binding <id>      only this binding of the config file (repeatable)

With --json, one JSON object per line, one per event of this worker, each
with its workerId. Exit: 0 after a graceful stop, 2 usage, 3 when it cannot
start (Redis unreachable: STORE_READ_FAILED).`,
  status: `Show every binding of a scale-out deployment: its last sync (when, how it
ended, on which worker), who holds its lease, and the jobs waiting for it;
and the queue's depth. Needs the optional package bullmq.

Options:
      --redis <url>       the Redis server, redis:// or rediss:// (required)
      --prefix <p>        the deployment's key prefix (default api-live-sync)

Exit: 0, 2 usage, 3 Redis unreachable (STORE_READ_FAILED).`,
  help: 'Show the help of a command.',
};

/** The general help: every command. */
export function generalHelp(): string {
  return `api-live-sync: keep local OpenAPI files and Hoppscotch collections in sync
with the OpenAPI documents live APIs produce, keeping your edits.

Usage:
${Object.values(USAGE)
  .map((u) => `  ${u}`)
  .join('\n')}

Commands:
  sync       sync once
  watch      sync continuously, with a live status line
  plan       show what a sync would do, write nothing
  check      exit 1 when the local copy has drifted from the source (CI)
  diff       semantic changes between two documents, --fail-on for CI
  rollback   undo syncs recorded in the journal
  journal    list the journal
  discover   find the OpenAPI document of a running API
  worker     run a scale-out worker on Redis (BullMQ)
  status     show a scale-out deployment: last syncs, leases, queue

Global options:
${GLOBAL_FLAGS}

Exit codes: 0 success / in sync, 1 drift / held / --fail-on hit, 2 usage or
configuration error, 3 source, spec, target or store failure, 130 interrupted.
Docs: node_modules/api-live-sync/docs/cli.md`;
}

/** The help of one command. */
export function commandHelp(command: CliCommand): string {
  return `Usage: ${USAGE[command]}\n\n${DETAILS[command]}\n\nGlobal options:\n${GLOBAL_FLAGS}`;
}
