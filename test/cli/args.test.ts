/** The argument parser, the config loader and the pure formatters, in-process. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, SourceError, type SyncPlan } from '../../src/index.js';
import { formatFromOut, isUrlSource, parseCommandLine, parsePolicy, UsageError } from '../../src/cli/args.js';
import { planDrift } from '../../src/cli/commands.js';
import { CONFIG_FILE_NAMES, findConfigFile, loadConfigFile, validateConfig } from '../../src/cli/config.js';
import { formatChanges, formatError, formatStatusLine } from '../../src/cli/format.js';
import { packageVersion, runCli } from '../../src/cli/run.js';
import { tempDir } from './helpers.js';

function usageError(fn: () => unknown): UsageError | ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    return error as ConfigError;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('parseCommandLine', () => {
  it('parses sync with every binding flag', () => {
    expect(
      parseCommandLine([
        'sync',
        'http://x/openapi.json',
        '-o',
        'api.yaml',
        '--format',
        'openapi',
        '--policy',
        'removal=keep,holdOnBreaking=true',
        '--store',
        's',
        '-H',
        'Authorization: Bearer t',
        '--allow-host',
        'x',
        '--allow-host',
        '*.example.com',
        '--json',
        '--approve',
      ]),
    ).toEqual({
      command: 'sync',
      json: true,
      verbose: false,
      source: 'http://x/openapi.json',
      out: 'api.yaml',
      format: 'openapi',
      policy: { removal: 'keep', holdOnBreaking: true },
      store: 's',
      headers: { Authorization: 'Bearer t' },
      allowedHosts: ['x', '*.example.com'],
      bindings: [],
      approve: true,
    });
  });

  it('parses watch --interval, diff --fail-on, rollback --to --force, discover, help', () => {
    expect(parseCommandLine(['watch', 'spec.yaml', '--out', 'a.json', '--interval', '500'])).toMatchObject({
      command: 'watch',
      intervalMs: 500,
    });
    expect(parseCommandLine(['diff', 'a.json', 'b.json', '--fail-on', 'warning'])).toMatchObject({
      command: 'diff',
      old: 'a.json',
      new: 'b.json',
      failOn: 'warning',
    });
    expect(parseCommandLine(['rollback', '--out', 'a.json', '--to', 'j-2', '--force'])).toMatchObject({
      command: 'rollback',
      out: 'a.json',
      to: 'j-2',
      force: true,
    });
    expect(parseCommandLine(['discover', 'http://localhost:8000'])).toMatchObject({
      command: 'discover',
      baseUrl: 'http://localhost:8000',
    });
    expect(parseCommandLine(['help', 'plan'])).toMatchObject({ command: 'help', topic: 'plan' });
    expect(parseCommandLine(['check', '--help'])).toMatchObject({ command: 'help', topic: 'check' });
    expect(parseCommandLine(['--help'])).toMatchObject({ command: 'help' });
    expect(parseCommandLine(['sync', '--binding', 'a', '-b', 'b'])).toMatchObject({ command: 'sync', bindings: ['a', 'b'] });
  });

  it('refuses unknown commands, unknown flags (strict mode), flags of other commands and missing arguments', () => {
    expect(usageError(() => parseCommandLine([])).message).toBe('No command given.');
    expect(usageError(() => parseCommandLine(['synk'])).message).toBe('Unknown command `synk`.');
    expect((usageError(() => parseCommandLine(['sync', 'x', '--out', 'a.json', '--nope'])) as UsageError).command).toBe('sync');
    expect(usageError(() => parseCommandLine(['sync', 'x', '--out', 'a.json', '--interval', '5'])).message).toMatch(
      /Unknown option '--interval'/,
    );
    expect(usageError(() => parseCommandLine(['sync', 'x'])).message).toMatch(/needs `--out <file>`/);
    expect(usageError(() => parseCommandLine(['sync', '--out', 'a.json'])).message).toMatch(/`--out` needs a <source>/);
    expect(usageError(() => parseCommandLine(['sync', 'x', 'y', '--out', 'a.json'])).message).toMatch(/Unexpected argument `y`/);
    expect(usageError(() => parseCommandLine(['diff', 'a.json'])).message).toMatch(/needs two documents/);
    expect(usageError(() => parseCommandLine(['diff', 'a', 'b', '--fail-on', 'error'])).message).toMatch(/breaking, warning or info/);
    expect(usageError(() => parseCommandLine(['watch', 'x', '--out', 'a.json', '--interval', '1.5'])).message).toMatch(
      /whole number of milliseconds/,
    );
    expect(usageError(() => parseCommandLine(['rollback'])).message).toMatch(/needs `--out <file>`/);
    for (const host of ['http://x', 'a b', 'user@x', 'x/y', '*']) {
      expect(usageError(() => parseCommandLine(['sync', 'x', '--out', 'a.json', '--allow-host', host])).message, host).toMatch(
        /`--allow-host` to be a host name/,
      );
    }
    expect(parseCommandLine(['diff', 'a', 'b', '--allow-host', 'localhost:3000'])).toMatchObject({ allowedHosts: ['localhost:3000'] });
    expect(parseCommandLine(['discover', 'http://x', '--allow-host', '[::1]:8000'])).toMatchObject({ allowedHosts: ['[::1]:8000'] });
    expect(usageError(() => parseCommandLine(['sync', 'x', '--out', 'a.json', '-H', 'no colon'])).message).toMatch(/`Name: value`/);
    expect(usageError(() => parseCommandLine(['sync', 'x', '--out', 'a.json', '--format', 'insomnia'])).message).toMatch(
      /openapi, hoppscotch, postman or bruno/,
    );
    expect(parseCommandLine(['sync', 'x', '--out', 'a.json', '--format', 'postman'])).toMatchObject({ format: 'postman' });
  });
});

describe('--resolver', () => {
  it('is accepted by sync, watch, plan and check, and absent unless given', () => {
    for (const command of ['sync', 'watch', 'plan', 'check'] as const) {
      expect(parseCommandLine([command, 'x.yaml', '--out', 'a.json', '--resolver', 'remote'])).toMatchObject({
        command,
        resolver: 'remote',
      });
      expect(parseCommandLine([command, '--resolver', 'local'])).toMatchObject({ command, resolver: 'local' });
      expect(parseCommandLine([command, 'x.yaml', '--out', 'a.json'])).not.toHaveProperty('resolver');
    }
  });

  it('refuses other values naming local and remote, and is unknown to the other commands', () => {
    for (const command of ['sync', 'watch', 'plan', 'check'] as const) {
      const error = usageError(() => parseCommandLine([command, 'x.yaml', '--out', 'a.json', '--resolver', 'Remote']));
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).command).toBe(command);
      expect(error.message).toBe('Expected `--resolver` to be local or remote, got `Remote`.');
    }
    expect(usageError(() => parseCommandLine(['sync', 'x.yaml', '--out', 'a.json', '--resolver', ''])).message).toMatch(
      /`--resolver` to have a value/,
    );
    expect(usageError(() => parseCommandLine(['diff', 'a.json', 'b.json', '--resolver', 'remote'])).message).toMatch(
      /Unknown option '--resolver'/,
    );
    expect(usageError(() => parseCommandLine(['rollback', '--out', 'a.json', '--resolver', 'remote'])).message).toMatch(
      /Unknown option '--resolver'/,
    );
  });
});

describe('parsePolicy, formatFromOut, isUrlSource', () => {
  it('parses every policy key and refuses typos and bad values', () => {
    expect(parsePolicy('removal=remove, maxRemovalShare=0.25,holdOnBreaking=false,stableRuns=2,journalLimit=10,journalBytes=0')).toEqual({
      removal: 'remove',
      maxRemovalShare: 0.25,
      holdOnBreaking: false,
      stableRuns: 2,
      journalLimit: 10,
      journalBytes: 0,
    });
    expect(usageError(() => parsePolicy('maxRemovalShare=2')).message).toMatch(/from 0 to 1/);
    expect(usageError(() => parsePolicy('removal=delete')).message).toMatch(/remove, deprecate or keep/);
    expect(usageError(() => parsePolicy('holdOnBreaking=yes')).message).toMatch(/true or false/);
    expect(usageError(() => parsePolicy('stableRuns=0')).message).toMatch(/from 1 and up/);
    expect(usageError(() => parsePolicy('maxRemoval=1')).message).toBe('Unknown policy key `maxRemoval`.');
  });

  it('decides the format from the extension, unless --format says', () => {
    expect(formatFromOut('a.json')).toBe('openapi');
    expect(formatFromOut('a.YAML')).toBe('openapi');
    expect(formatFromOut('a.yml')).toBe('openapi');
    expect(formatFromOut('pets.hoppscotch.json')).toBe('hoppscotch');
    expect(formatFromOut('pets.json', 'hoppscotch')).toBe('hoppscotch');
    expect(formatFromOut('pets.hoppscotch.json', 'openapi')).toBe('openapi');
    expect(usageError(() => formatFromOut('a.txt')).message).toMatch(/Cannot tell the format/);
    expect(usageError(() => formatFromOut('a.yaml', 'hoppscotch')).message).toMatch(/is JSON/);
    expect(formatFromOut('Pets.postman_collection.json')).toBe('postman');
    expect(formatFromOut('pets.postman.json')).toBe('postman');
    expect(formatFromOut('pets.json', 'postman')).toBe('postman');
    expect(usageError(() => formatFromOut('a.yml', 'postman')).message).toMatch(/Postman collection is JSON/);
  });

  it('tells URLs from paths and refuses other schemes without echoing credentials', () => {
    expect(isUrlSource('http://localhost/openapi.json')).toBe(true);
    expect(isUrlSource('HTTPS://x.example/spec')).toBe(true);
    expect(isUrlSource('specs/openapi.yaml')).toBe(false);
    expect(isUrlSource('C:\\specs\\openapi.yaml')).toBe(false);
    const error = usageError(() => isUrlSource('ftp://user:secret@host/spec.json'));
    expect(error.message).not.toContain('secret');
  });
});

describe('config file', () => {
  const temp = tempDir();
  afterAll(() => temp.dispose());

  it('validates, fills defaults and resolves paths against the file', () => {
    const path = join(temp.dir, 'live-sync.config.json');
    const config = validateConfig(
      {
        intervalMs: 1000,
        bindings: [
          { source: 'http://127.0.0.1:8000/openapi.json', out: 'out/api.yaml', policy: 'holdOnBreaking=true', headers: { 'x-key': 'k' } },
          {
            id: 'coll',
            source: 'spec.json',
            out: 'pets.hoppscotch.json',
            policy: { removal: 'remove' },
            dependsOn: ['api.yaml'],
            intervalMs: 50,
          },
        ],
      },
      path,
    );
    expect(config).toEqual({
      path,
      store: join(temp.dir, '.api-live-sync'),
      intervalMs: 1000,
      bindings: [
        {
          id: 'api.yaml',
          source: 'http://127.0.0.1:8000/openapi.json',
          sourceKind: 'url',
          out: join(temp.dir, 'out/api.yaml'),
          format: 'openapi',
          policy: { holdOnBreaking: true },
          headers: { 'x-key': 'k' },
          dependsOn: [],
        },
        {
          id: 'coll',
          source: join(temp.dir, 'spec.json'),
          sourceKind: 'file',
          out: join(temp.dir, 'pets.hoppscotch.json'),
          format: 'hoppscotch',
          intervalMs: 50,
          policy: { removal: 'remove' },
          headers: {},
          dependsOn: ['api.yaml'],
        },
      ],
    });
  });

  it('refuses what would be silently wrong', () => {
    const path = join(temp.dir, 'live-sync.config.json');
    const bad = (value: unknown) => usageError(() => validateConfig(value, path)).message;
    expect(bad([])).toMatch(/expected an object/);
    expect(bad({ bindings: [] })).toMatch(/non-empty array/);
    expect(bad({ binding: [] })).toMatch(/unknown key `binding`/);
    expect(bad({ bindings: [{ source: 'a.json' }] })).toMatch(/bindings\[0\]: expected `out`/);
    expect(
      bad({
        bindings: [
          { source: 'a.json', out: 'b.json' },
          { source: 'c.json', out: 'b.json' },
        ],
      }),
    ).toMatch(/the id `b.json` is used twice/);
    expect(bad({ bindings: [{ source: 'a.json', out: 'b.json', dependsOn: ['x'] }] })).toMatch(/depends on `x`/);
    expect(bad({ bindings: [{ source: 'a.json', out: 'b.json', policy: { maxRemovalShare: 3 } }] })).toMatch(/from 0 to 1/);
    expect(bad({ bindings: [{ source: 'a.json', out: 'b.txt' }] })).toMatch(/bindings\[0\]: Cannot tell the format/);
    expect(
      bad({
        bindings: [
          { source: 'a.json', out: 'b.json' },
          { id: 'two', source: 'a.json', out: 'c.json', resolver: 'mine' },
        ],
      }),
    ).toBe(`live-sync.config.json: bindings[1]: expected \`resolver\` to be local or remote, got "mine".`);
    expect(bad({ bindings: [{ source: 'a.json', out: 'b.json', resolver: null }] })).toMatch(
      /bindings\[0\]: expected `resolver` to be local or remote, got null/,
    );
  });

  it("keeps a binding's resolver, and leaves it out when not given", async () => {
    const path = join(temp.dir, 'live-sync.config.json');
    const config = validateConfig(
      {
        bindings: [
          { source: 'a.json', out: 'r.json', resolver: 'remote' },
          { source: 'a.json', out: 'l.json', resolver: 'local' },
          { source: 'a.json', out: 'n.json' },
        ],
      },
      path,
    );
    expect(config.bindings.map((b) => b.resolver)).toEqual(['remote', 'local', undefined]);
    expect(config.bindings[2]).not.toHaveProperty('resolver');
    const dir = join(temp.dir, 'resolver-module');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'live-sync.config.mjs'),
      "export default { bindings: [{ source: 'a.json', out: 'x.json', resolver: 'remote' }] };",
    );
    expect((await loadConfigFile(join(dir, 'live-sync.config.mjs'))).bindings[0]).toMatchObject({ id: 'x.json', resolver: 'remote' });
  });

  it('finds the file in the working directory in the documented order, or takes --config', () => {
    const dir = join(temp.dir, 'find');
    mkdirSync(dir);
    expect(findConfigFile(dir)).toBeUndefined();
    writeFileSync(join(dir, 'live-sync.config.mjs'), 'export default { bindings: [] };');
    expect(findConfigFile(dir)).toBe(join(dir, 'live-sync.config.mjs'));
    writeFileSync(join(dir, 'live-sync.config.json'), '{}');
    expect(findConfigFile(dir)).toBe(join(dir, CONFIG_FILE_NAMES[0]));
    expect(findConfigFile(dir, 'live-sync.config.mjs')).toBe(join(dir, 'live-sync.config.mjs'));
    expect(usageError(() => findConfigFile(dir, 'nope.json')).message).toMatch(/does not exist/);
  });

  it('loads JSON and modules whose default export is the config or a function returning it', async () => {
    const dir = join(temp.dir, 'load');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'a.mjs'),
      "export default async () => ({ bindings: [{ source: 'http://127.0.0.1:1/openapi.json', out: 'x.json' }] });",
    );
    writeFileSync(join(dir, 'b.json'), '{ "store": "state", "bindings": [{ "source": "s.yaml", "out": "x.yaml" }] }');
    writeFileSync(join(dir, 'c.json'), '{ "bindings": [ }');
    expect((await loadConfigFile(join(dir, 'a.mjs'))).bindings[0]).toMatchObject({ id: 'x.json', sourceKind: 'url' });
    expect(await loadConfigFile(join(dir, 'b.json'))).toMatchObject({
      store: join(dir, 'state'),
      bindings: [{ source: join(dir, 's.yaml'), sourceKind: 'file' }],
    });
    await expect(loadConfigFile(join(dir, 'c.json'))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/is not valid JSON/),
    });
  });
});

describe('check semantics and output', () => {
  const plan = (partial: Partial<SyncPlan>): SyncPlan => ({
    sourceId: 'a',
    createdAt: 0,
    outcome: 'apply',
    firstSync: false,
    changes: [],
    conflicts: [],
    decisions: [],
    patch: [],
    ...partial,
  });

  it('drift means: the sync would change the local copy, or a safety rail would hold it', () => {
    expect(planDrift(plan({ outcome: 'unchanged', unchangedReason: 'same-hash' })).drift).toBe(false);
    expect(planDrift(plan({ outcome: 'apply', patch: [] }))).toEqual({
      drift: false,
      reason: 'the local copy already has every change of the source',
    });
    expect(
      planDrift(
        plan({
          outcome: 'apply',
          patch: [{ op: 'add', path: '/paths/~1b', value: {} }],
          changes: [{ id: 'endpoint-added', level: 'info', path: '/paths/~1b', text: 'GET /b was added' }],
        }),
      ),
    ).toEqual({
      drift: true,
      reason: 'a sync would change the local copy (1 patch operation, 1 change (1 info))',
    });
    expect(planDrift(plan({ outcome: 'held', heldReason: 'mass-removal' }))).toEqual({
      drift: true,
      reason: 'a sync would be held by a safety rail: mass-removal',
    });
  });

  it('formats changes by level, errors without stacks unless verbose, and the watch status line', () => {
    expect(
      formatChanges([
        { id: 'endpoint-added', level: 'info', operation: 'GET /b', path: '', text: 'GET /b was added' },
        { id: 'x-removed', level: 'breaking', operation: 'GET /a', path: '', text: 'response property removed' },
      ]),
    ).toEqual([
      '  breaking (1)',
      '    GET /a: response property removed [x-removed]',
      '  info (1)',
      '    GET /b was added [endpoint-added]',
    ]);
    // SOURCE_DNS: a code whose library hint the CLI shows as it is (src/cli/hints.ts words others its own way).
    const error = new SourceError('SOURCE_DNS', 'No such host.', { hint: 'Check the host name.' });
    expect(formatError(error, false)).toEqual(['error SOURCE_DNS: No such host.', 'hint: Check the host name.']);
    expect(formatError(error, true).slice(2).join('\n')).toMatch(/^\s+at /m);
    expect(formatError(new TypeError('boom'), false)[0]).toBe('error UNEXPECTED: boom');
    const at = new Date(2026, 0, 1, 9, 5, 7).getTime();
    expect(
      formatStatusLine(
        { bindings: 2, state: 'idle', changes: 3, lastSync: { at, sourceId: 'api', outcome: 'applied' }, nextPoll: at + 1450 },
        at,
      ),
    ).toBe('watching 2 bindings · idle · last sync 09:05:07 api applied · 3 changes · next poll in 1.4s');
    expect(formatStatusLine({ bindings: 1, state: 'starting', changes: 0 }, at)).toBe(
      'watching 1 binding · starting · no sync yet · 0 changes',
    );
  });

  it('finds the package version from the script path', () => {
    expect(packageVersion(resolve(import.meta.dirname, '../../src/cli/main.ts'))).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion(undefined)).toBe('unknown');
  });
});

describe('runCli in-process', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        stdout: { write: (t: string) => (out.stdout += t) },
        stderr: { write: (t: string) => (out.stderr += t) },
        cwd: process.cwd(),
        signal: new AbortController().signal,
      },
    };
  };

  it('help <command> and <command> --help print the usage on stdout and exit 0; --json wraps it', async () => {
    const a = io();
    expect(await runCli(['help', 'check'], a.io)).toBe(0);
    expect(a.out.stdout).toMatch(/^Usage: api-live-sync check/);
    expect(a.out.stdout).toContain('Exit: 0 in sync, 1 drift');
    expect(a.out.stderr).toBe('');
    const b = io();
    expect(await runCli(['rollback', '--help', '--json'], b.io)).toBe(0);
    expect(JSON.parse(b.out.stdout)).toMatchObject({
      command: 'help',
      topic: 'rollback',
      exitCode: 0,
      text: expect.stringContaining('--force'),
    });
  });

  it('the help of sync, watch, plan and check describes --resolver; a bad one is a usage error with its hint', async () => {
    for (const command of ['sync', 'watch', 'plan', 'check']) {
      const a = io();
      expect(await runCli(['help', command], a.io)).toBe(0);
      expect(a.out.stdout).toMatch(/--resolver <side> +who wins a conflict: local \(keep your edit, default\) \| remote/);
    }
    const b = io();
    expect(await runCli(['sync', 'x.yaml', '--out', 'a.json', '--resolver', 'theirs'], b.io)).toBe(2);
    expect(b.out.stderr).toMatch(/^error CONFIG_INVALID: Expected `--resolver` to be local or remote, got `theirs`\./);
    expect(b.out.stderr).toContain('`remote` takes the value from the source');
  });

  it('a usage error with --json still prints one JSON document on stdout', async () => {
    const a = io();
    expect(await runCli(['plan', '--out', 'a.json', '--json'], a.io)).toBe(2);
    expect(JSON.parse(a.out.stdout)).toMatchObject({ command: 'plan', exitCode: 2, error: { code: 'CONFIG_INVALID' } });
    expect(a.out.stderr).toMatch(/^error CONFIG_INVALID: /);
    expect(a.out.stderr).toMatch(/^usage: api-live-sync plan /m);
  });
});
