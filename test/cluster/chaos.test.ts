/**
 * The chaos test of issue 15: four worker processes share 200 bindings
 * through one real redis-server, polling a loopback HTTP server whose specs
 * change on a counter into OpenAPI files that carry local edits. One worker
 * is killed (SIGKILL) in the middle of a file write, another is frozen
 * (SIGSTOP) right before a write until its lease has passed to another
 * worker, then continued (SIGCONT). From the log the workers write inside
 * each sync's critical section:
 *
 * - no two syncs of one binding overlap, except a sync whose lease expired
 *   while it was frozen, which ends refused with STALE_LEASE;
 * - the fencing tokens of a binding's syncs only grow;
 * - the frozen worker's write is refused (STALE_LEASE) and leaves its file as it was;
 * - every binding converges to the last spec with its local edit kept;
 * - no job is lost: after the last spec change every binding is synced and applied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../support/redis.js';

const CHILD = resolve(import.meta.dirname, 'chaos-worker-child.ts');
const BINDINGS = 200;
const WORKERS = ['w1', 'w2', 'w3', 'w4'];
const LEASE_TTL_MS = 2000;
const INTERVAL_MS = 1500;

const redis = useRedisServer();
let version = 1;
let http: Server;
let base: string;
let dir: string;
const children = new Map<string, ChildProcess>();
const ids = Array.from({ length: BINDINGS }, (_, i) => `b${i}`);

interface Operation {
  summary?: string;
  operationId?: string;
  'x-local'?: string;
  responses: Record<string, unknown>;
}

/** Binding `id`'s spec at version `v`: `/pets` names the version, and every version so far added `/v<k>`. */
function spec(id: string, v: number): Record<string, unknown> {
  const paths: Record<string, { get: Operation }> = {
    '/pets': { get: { summary: `List pets, version ${v}`, responses: { '200': { description: 'ok' } } } },
  };
  for (let k = 1; k <= v; k++) paths[`/v${k}`] = { get: { operationId: `v${k}`, responses: { '200': { description: 'ok' } } } };
  return { openapi: '3.0.3', info: { title: id, version: '1' }, paths };
}

beforeAll(async () => {
  http = createServer((request, response) => {
    const id = (request.url ?? '/').slice(1);
    const etag = `"${id}-${version}"`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify(spec(id, version)));
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const child of children.values()) {
    child.kill('SIGCONT');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await new Promise((done) => http.close(done));
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface LogLine {
  worker: string;
  t: number;
  at: 'enter' | 'exit' | 'ready' | 'killing' | 'killed' | 'stopping' | 'spec';
  binding?: string;
  token?: number;
  outcome?: string;
  written?: boolean;
  error?: string;
  version?: number;
}

function readLog(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

/** The summary and the local edit of a binding's file, or undefined while it does not exist or is being replaced. */
async function fileState(id: string): Promise<{ summary: string; local: string | undefined; paths: number } | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { paths: Record<string, { get: Operation }> };
    const get = doc.paths['/pets']!.get;
    return { summary: get.summary ?? '', local: get['x-local'], paths: Object.keys(doc.paths).length };
  } catch {
    return undefined;
  }
}

/** How many bindings' files are at version `v` (with every local edit, once `edited`). */
async function converged(v: number, edited: boolean): Promise<number> {
  const states = await Promise.all(ids.map(fileState));
  return states.filter((s, i) => s?.summary === `List pets, version ${v}` && s.paths === v + 1 && (!edited || s.local === `kept ${ids[i]}`))
    .length;
}

/** Edit every file as a person would (write a copy, rename it over the file): a local note on `GET /pets`. */
async function editLocally(): Promise<void> {
  await Promise.all(
    ids.map(async (id) => {
      const path = join(dir, `${id}.json`);
      const doc = JSON.parse(await readFile(path, 'utf8')) as { paths: Record<string, { get: Operation }> };
      doc.paths['/pets']!.get['x-local'] = `kept ${id}`;
      await writeFile(`${path}.edit`, `${JSON.stringify(doc, null, 2)}\n`);
      await rename(`${path}.edit`, path);
    }),
  );
}

describe('chaos: 4 worker processes, 200 bindings, one redis-server', () => {
  it(
    'keeps one sync per binding at a time, growing tokens, refuses the stale worker, converges with every local edit and loses no job through a SIGKILL and a SIGSTOP',
    { timeout: 175_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'als-chaos-'));
      const log = join(dir, 'log.jsonl');
      const mark = (line: Record<string, unknown>): void =>
        appendFileSync(log, `${JSON.stringify({ worker: 'test', t: Date.now(), ...line })}\n`);
      const common = {
        redis: redis.current.url,
        prefix: 'chaos',
        log,
        base,
        dir,
        count: BINDINGS,
        intervalMs: INTERVAL_MS,
        leaseTtlMs: LEASE_TTL_MS,
      };
      for (const worker of WORKERS) {
        const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ ...common, worker })], {
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        children.set(worker, child);
      }
      const poll = { timeout: 60_000, interval: 250 };
      await expect.poll(() => readLog(log).filter((l) => l.at === 'ready').length, poll).toBe(WORKERS.length);
      await expect.poll(() => converged(1, false), poll).toBe(BINDINGS);
      await editLocally();

      // Version 2, and w1 dies (SIGKILL) in the middle of its next file write, the file moved aside.
      const doomed = children.get('w1')!;
      const died = new Promise((done) => doomed.once('exit', done));
      version = 2;
      mark({ at: 'spec', version });
      doomed.kill('SIGUSR1');
      await died;
      mark({ at: 'killed', worker: 'w1' });
      const killing = readLog(log).find((l) => l.at === 'killing');
      expect(killing?.worker).toBe('w1');
      await expect.poll(() => converged(2, true), poll).toBe(BINDINGS);

      // Version 3, and w2 freezes (SIGSTOP) right before its next file write, until another worker has synced that binding.
      const stale = children.get('w2')!;
      version = 3;
      mark({ at: 'spec', version });
      stale.kill('SIGUSR2');
      await expect.poll(() => readLog(log).some((l) => l.at === 'stopping'), poll).toBe(true);
      const stopping = readLog(log).find((l) => l.at === 'stopping')!;
      const frozen = stopping.binding!;
      await expect
        .poll(
          () =>
            readLog(log).some(
              (l) => l.at === 'exit' && l.binding === frozen && l.worker !== 'w2' && l.outcome === 'applied' && l.token! > stopping.token!,
            ),
          poll,
        )
        .toBe(true);
      // (Not every binding converges while w2 is frozen: another of its syncs may hold a file's lock, which is waited for.)
      const before = await readFile(join(dir, `${frozen}.json`));
      expect((await fileState(frozen))?.summary).toBe('List pets, version 3');
      stale.kill('SIGCONT');
      await expect
        .poll(
          () => readLog(log).find((l) => l.at === 'exit' && l.worker === 'w2' && l.binding === frozen && l.token === stopping.token),
          poll,
        )
        .toBeDefined();
      const refused = readLog(log).find((l) => l.at === 'exit' && l.worker === 'w2' && l.binding === frozen && l.token === stopping.token)!;
      expect(refused.error).toBe('STALE_LEASE');
      expect(await readFile(join(dir, `${frozen}.json`))).toEqual(before);
      await expect.poll(() => converged(3, true), poll).toBe(BINDINGS);

      // The last version: every binding converges, with its local edit.
      version = 4;
      mark({ at: 'spec', version });
      await expect.poll(() => converged(4, true), poll).toBe(BINDINGS);
      for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(
        [...children.values()].map((child) =>
          child.exitCode === null && child.signalCode === null ? new Promise((done) => child.once('exit', done)) : undefined,
        ),
      );

      const lines = readLog(log);
      // No two syncs of one binding at once: per binding, entries and exits alternate, a killed worker's section ending at
      // its death; the one exception is the frozen worker's section, which ends refused.
      const inside = new Map<string, LogLine>();
      const overlaps: string[] = [];
      const overlapped: LogLine[] = [];
      for (const line of lines) {
        if (line.at === 'killed') {
          for (const [binding, holder] of inside) if (holder.worker === line.worker) inside.delete(binding);
          continue;
        }
        if (line.binding === undefined || (line.at !== 'enter' && line.at !== 'exit')) continue;
        const holder = inside.get(line.binding);
        if (line.at === 'enter') {
          if (holder !== undefined) overlapped.push(holder);
          if (holder !== undefined)
            overlaps.push(`${line.worker} (${line.token}) entered ${line.binding} while ${holder.worker} (${holder.token}) was inside`);
          inside.set(line.binding, line);
        } else if (holder?.worker === line.worker && holder.token === line.token) inside.delete(line.binding);
      }
      // (w2 runs up to 4 syncs at once: each one frozen with it may be overlapped, and must end refused.)
      const frozenSections = overlaps.filter((o) => / while w2 \(\d+\) was inside$/.test(o));
      expect(frozenSections).toEqual(overlaps);
      expect(overlaps).toContainEqual(expect.stringMatching(new RegExp(`entered ${frozen} while w2 \\(${stopping.token}\\) was inside$`)));
      const staleExits = lines.filter((l) => l.at === 'exit' && l.error === 'STALE_LEASE');
      expect(staleExits.every((l) => l.worker === 'w2')).toBe(true);
      for (const holder of overlapped) expect(staleExits.some((l) => l.binding === holder.binding && l.token === holder.token)).toBe(true);
      // Tokens of a binding only grow.
      const last = new Map<string, number>();
      for (const line of lines.filter((l) => l.at === 'enter')) {
        expect(line.token, `${line.binding}`).toBeGreaterThan(last.get(line.binding!) ?? 0);
        last.set(line.binding!, line.token!);
      }
      // No job lost: after the last spec change, every binding has a sync that applied it.
      const lastChange = lines.findIndex((l) => l.at === 'spec' && l.version === 4);
      const applied = new Set(
        lines
          .slice(lastChange)
          .filter((l) => l.at === 'exit' && l.outcome === 'applied')
          .map((l) => l.binding),
      );
      expect(ids.filter((id) => !applied.has(id))).toEqual([]);
      // The work was shared, and the killed binding was finished by another worker.
      expect(new Set(lines.filter((l) => l.at === 'exit').map((l) => l.worker))).toEqual(new Set(WORKERS));
    },
  );
});
