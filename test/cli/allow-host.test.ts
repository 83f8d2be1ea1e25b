/**
 * `--allow-host` and a config binding's `allowedHosts`: a URL source whose
 * server redirects to another host is refused with SOURCE_HOST_NOT_ALLOWED
 * before the other host gets a request. Two loopback servers, told apart by
 * their host names: `127.0.0.1` redirects to `localhost`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, cli, tempDir } from './helpers.js';

interface Counted {
  server: Server;
  requests: number;
}

async function listen(
  host: string,
  handle: (path: string) => { status: number; headers: Record<string, string>; body: string },
): Promise<Counted> {
  const counted: Counted = { server: createServer(), requests: 0 };
  counted.server.on('request', (req, res) => {
    counted.requests += 1;
    const answer = handle(req.url ?? '/');
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => counted.server.listen(0, host, resolve));
  return counted;
}

async function close(counted: Counted): Promise<void> {
  counted.server.closeAllConnections();
  await new Promise<void>((resolve) => counted.server.close(() => resolve()));
}

describe('--allow-host', { timeout: 60_000 }, () => {
  let temp: ReturnType<typeof tempDir>;
  let other: Counted;
  let first: Counted;
  let url: string;
  let base: string;

  beforeAll(async () => {
    temp = tempDir();
    writeFileSync(join(temp.dir, 'spec.json'), JSON.stringify(api(['/pets'])));
    other = await listen('localhost', () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(api(['/pets', '/owners'])),
    }));
    const otherPort = (other.server.address() as AddressInfo).port;
    first = await listen('127.0.0.1', (path) => ({ status: 302, headers: { location: `http://localhost:${otherPort}${path}` }, body: '' }));
    base = `http://127.0.0.1:${(first.server.address() as AddressInfo).port}`;
    url = `${base}/openapi.json`;
  });
  beforeEach(() => {
    other.requests = 0;
    first.requests = 0;
  });
  afterAll(async () => {
    await close(first);
    await close(other);
    temp.dispose();
  });

  it('sync refuses a redirect to a host outside --allow-host, and follows it when that host is allowed too', async () => {
    const refused = await cli(['sync', url, '--out', 'refused.json', '--allow-host', '127.0.0.1', '--json'], temp.dir);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout).bindings[0].error.code).toBe('SOURCE_HOST_NOT_ALLOWED');
    expect(first.requests).toBe(1);
    expect(other.requests).toBe(0);
    expect(existsSync(join(temp.dir, 'refused.json'))).toBe(false);

    const allowed = await cli(
      ['sync', url, '--out', 'allowed.json', '--allow-host', '127.0.0.1', '--allow-host', 'localhost', '--json'],
      temp.dir,
    );
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).bindings[0].outcome).toBe('applied');
    expect(other.requests).toBe(1);
  });

  it('a config binding with allowedHosts is refused the same way, and --allow-host replaces its list', async () => {
    const project = join(temp.dir, 'config');
    mkdirSync(project);
    writeFileSync(
      join(project, 'live-sync.config.json'),
      JSON.stringify({ bindings: [{ id: 'api', source: url, out: 'api.json', allowedHosts: ['127.0.0.1'] }] }),
    );
    const refused = await cli(['sync', '--json'], project);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout).bindings[0].error.code).toBe('SOURCE_HOST_NOT_ALLOWED');
    expect(other.requests).toBe(0);

    const widened = await cli(['sync', '--allow-host', '127.0.0.1', '--allow-host', 'localhost', '--json'], project);
    expect(widened.code).toBe(0);
    expect(other.requests).toBe(1);
  });

  it('diff and discover take it too', async () => {
    const diff = await cli(['diff', url, join(temp.dir, 'spec.json'), '--allow-host', '127.0.0.1', '--json'], temp.dir);
    expect(diff.code).toBe(3);
    expect(JSON.parse(diff.stdout).error.code).toBe('SOURCE_HOST_NOT_ALLOWED');
    const discover = await cli(['discover', base, '--allow-host', '127.0.0.1', '--json'], temp.dir);
    expect(discover.code).toBe(3);
    const error = JSON.parse(discover.stdout).error;
    expect(error.code).toBe('DISCOVERY_FAILED');
    expect(new Set(error.details.tried.map((t: { outcome: string }) => t.outcome))).toEqual(new Set(['SOURCE_HOST_NOT_ALLOWED']));
    expect(other.requests).toBe(0);
  });

  it('a config binding with a malformed allowedHosts entry exits 2', async () => {
    const project = join(temp.dir, 'bad');
    mkdirSync(project);
    writeFileSync(
      join(project, 'live-sync.config.json'),
      JSON.stringify({ bindings: [{ source: url, out: 'api.json', allowedHosts: ['http://localhost'] }] }),
    );
    const run = await cli(['plan', '--json'], project);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('CONFIG_INVALID');
  });
});
