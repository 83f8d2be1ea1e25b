/** `--retries`, `--breaker-threshold`, `--restart-grace` and their config keys: parsed, validated, and used by the real program. */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { parseCommandLine } from '../../src/cli/args.js';
import { validateConfig } from '../../src/cli/config.js';
import { api, cli, closedPort, finished, startCli, tempDir } from './helpers.js';

function refused(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    return error as ConfigError;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

/** A document server on a given port of 127.0.0.1 (started late, on purpose). */
async function serveAt(port: number): Promise<Server> {
  const body = JSON.stringify(api(['/pets']));
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

describe('retry flags', () => {
  it('sync takes --retries and --restart-grace; watch also --breaker-threshold; 0 is allowed', () => {
    expect(parseCommandLine(['sync', 'http://x/o.json', '-o', 'a.json', '--retries', '3', '--restart-grace', '10000'])).toMatchObject({
      retries: 3,
      restartGraceMs: 10_000,
    });
    expect(
      parseCommandLine(['watch', 'http://x/o.json', '-o', 'a.json', '--retries', '0', '--breaker-threshold', '0', '--restart-grace', '0']),
    ).toMatchObject({
      retries: 0,
      breakerThreshold: 0,
      restartGraceMs: 0,
    });
    expect(parseCommandLine(['watch', 'http://x/o.json', '-o', 'a.json'])).not.toHaveProperty('retries');
  });

  it('refuses values that are not whole numbers, and the flags on commands that do not retry', () => {
    for (const bad of ['-1', '1.5', 'x', '3s', '']) {
      expect(refused(() => parseCommandLine(['watch', 'u', '-o', 'a.json', `--retries=${bad}`])).message).toMatch(
        bad === '' ? /--retries/ : /Expected `--retries` to be a whole number/,
      );
    }
    expect(refused(() => parseCommandLine(['watch', 'u', '-o', 'a.json', '--restart-grace', '30s'])).message).toMatch(
      /Expected `--restart-grace` to be a whole number of milliseconds/,
    );
    expect(refused(() => parseCommandLine(['watch', 'u', '-o', 'a.json', '--breaker-threshold=-2'])).message).toMatch(
      /Expected `--breaker-threshold`/,
    );
    expect(refused(() => parseCommandLine(['sync', 'u', '-o', 'a.json', '--breaker-threshold', '3'])).message).toMatch(
      /Unknown option '--breaker-threshold'/,
    );
    expect(refused(() => parseCommandLine(['plan', 'u', '-o', 'a.json', '--retries', '1'])).message).toMatch(/Unknown option '--retries'/);
  });

  it('the help of sync and watch describes them, and the help of plan --markdown', async () => {
    const help = async (command: string) => {
      const run = await cli(['help', command], process.cwd());
      expect(run.code).toBe(0);
      return run.stdout;
    };
    expect(await help('sync')).toMatch(/--retries <n>[\s\S]*--restart-grace <ms>/);
    expect(await help('watch')).toMatch(/--retries <n>[\s\S]*--restart-grace <ms>[\s\S]*--breaker-threshold <n>/);
    expect(await help('plan')).toMatch(/--markdown/);
  });

  it('the config file takes retries, breakerThreshold and restartGraceMs at the top level, whole numbers from 0', () => {
    const path = '/project/live-sync.config.json';
    const bindings = [{ source: 'http://127.0.0.1:8000/openapi.json', out: 'api.json' }];
    expect(validateConfig({ retries: 4, breakerThreshold: 0, restartGraceMs: 5000, bindings }, path)).toMatchObject({
      retries: 4,
      breakerThreshold: 0,
      restartGraceMs: 5000,
    });
    expect(validateConfig({ bindings }, path)).not.toHaveProperty('restartGraceMs');
    expect(refused(() => validateConfig({ retries: -1, bindings }, path)).message).toMatch(
      /expected `retries` to be a whole number from 0 and up, got -1/,
    );
    expect(refused(() => validateConfig({ restartGraceMs: '30s', bindings }, path)).message).toMatch(/`restartGraceMs`/);
    expect(refused(() => validateConfig({ breakerThreshold: 2.5, bindings }, path)).message).toMatch(/`breakerThreshold`/);
  });
});

describe('api-live-sync sync --restart-grace', { timeout: 60_000 }, () => {
  let temp: ReturnType<typeof tempDir>;

  beforeAll(() => {
    temp = tempDir();
  });
  afterAll(() => temp.dispose());

  it('waits for a local server that starts after the command, and syncs once it answers (exit 0)', async () => {
    const port = await closedPort();
    const child = startCli(
      ['sync', `http://127.0.0.1:${port}/openapi.json`, '--out', 'late.json', '--restart-grace', '15000', '--json'],
      temp.dir,
    );
    const done = finished(child);
    await new Promise((r) => setTimeout(r, 1500));
    const server = await serveAt(port);
    try {
      const run = await done;
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ command: 'sync', exitCode: 0, bindings: [{ outcome: 'applied' }] });
    } finally {
      await close(server);
    }
  });

  it("the config file's restartGraceMs applies to sync as well, and --restart-grace 0 overrides it", async () => {
    const port = await closedPort();
    writeFileSync(
      join(temp.dir, 'live-sync.config.json'),
      JSON.stringify({ restartGraceMs: 15_000, bindings: [{ source: `http://127.0.0.1:${port}/openapi.json`, out: 'cfg.json' }] }),
    );
    const started = Date.now();
    const now = await cli(['sync', '--restart-grace', '0', '--json'], temp.dir);
    expect(now.code).toBe(3);
    expect(JSON.parse(now.stdout).bindings[0]).toMatchObject({
      outcome: 'failed',
      error: { code: 'SOURCE_CONNECTION_REFUSED', restarting: true },
    });
    expect(Date.now() - started).toBeLessThan(10_000);

    const child = startCli(['sync', '--json'], temp.dir);
    const done = finished(child);
    await new Promise((r) => setTimeout(r, 1500));
    const server = await serveAt(port);
    try {
      const run = await done;
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ command: 'sync', exitCode: 0, bindings: [{ id: 'cfg.json', outcome: 'applied' }] });
    } finally {
      await close(server);
    }
  });
});
