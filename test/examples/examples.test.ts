import { readdir, readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_TEST_SCRIPT, runDemo } from '../../examples/demo.js';
import { parseCollection, type HoppCollection } from '../../src/targets/hoppscotch/public.js';
import { runExample as runCustomTarget } from '../../examples/custom-target.js';
import { runExample as runUnitTesting } from '../../examples/unit-test-your-rules.js';
import { runExample as runServer } from '../../examples/server.js';
import { EXAMPLE_TEST_SCRIPT, runExample as runPostman } from '../../examples/postman.js';
import { startServer } from '../support/hopp.js';
import { newmanFailures, runNewman } from '../support/postman.js';

// express-app.ts, openai-resolver.ts and ci-drift-check.ts run in more-examples.test.ts, scale-out.ts in scale-out-example.test.ts,
// dashboard.ts in dashboard-example.test.ts (and, in a browser, test/browser/dashboard.test.ts),
// bruno.ts in bruno-example.test.ts.
const covered = [
  'bruno.ts',
  'ci-drift-check.ts',
  'custom-target.ts',
  'dashboard.ts',
  'demo.ts',
  'express-app.ts',
  'openai-resolver.ts',
  'postman.ts',
  'scale-out.ts',
  'server.ts',
  'unit-test-your-rules.ts',
];

describe('examples', () => {
  it('covers every file in examples/', async () => {
    const files = (await readdir(resolve(import.meta.dirname, '../../examples'))).filter((f) => f.endsWith('.ts')).sort();
    expect(files).toEqual(covered);
  });

  it('demo: syncs a live server, picks up a route change and keeps the user edit', async () => {
    const lines: string[] = [];
    const outDir = await mkdtemp(join(tmpdir(), 'als-demo-'));
    const result = (await runDemo({ outDir, log: (l) => lines.push(l), pollMs: 100 })) as {
      paths: Record<string, Record<string, { description?: string; parameters?: Array<{ schema?: { maximum?: number } }> }>>;
    };
    expect(result.paths['/pets']?.post).toBeDefined();
    expect(result.paths['/pets']?.get?.description).toBe('Returns pets, newest first. (my note)');
    expect(result.paths['/pets']?.get?.parameters?.[0]?.schema?.maximum).toBe(50);
    expect(lines.join('\n')).toContain('your note survived: yes');

    // The second binding: the Hoppscotch collection got the new route and kept the user's test script.
    const collectionFile = join(outDir, 'petstore.hoppscotch.json');
    const collection = parseCollection(JSON.parse(await readFile(collectionFile, 'utf8'))) as HoppCollection;
    const requests = collection.folders.flatMap((f) => f.requests).concat(collection.requests);
    expect(requests.map((r) => r.id)).toEqual(['listPets', 'addPet', 'getPet']);
    expect(requests.find((r) => r.id === 'listPets')?.testScript).toBe(DEMO_TEST_SCRIPT);
    expect(requests.find((r) => r.id === 'addPet')).toMatchObject({ method: 'POST', name: 'Add a pet' });
    expect(lines.join('\n')).toContain('your test script survived: yes');
    expect(lines.join('\n')).toContain(`hopp.js test ${collectionFile}`);
  });

  it('postman: the second sync brings the new route and parameter, keeps the test script and the unchecked parameter, and newman passes', async () => {
    const lines: string[] = [];
    const report = await runPostman(await mkdtemp(join(tmpdir(), 'als-postman-example-')), (line) => lines.push(line));
    const requests = report.collection.item.flatMap((entry) => ('item' in entry ? entry.item : [entry])) as Array<{
      id?: string;
      event?: unknown;
    }>;
    expect(requests.map((r) => r.id)).toEqual(['listPets', 'addPet']);
    expect(lines).toContain('your test script survived: yes');
    expect(lines).toContain('limit stays unchecked: yes');
    expect(JSON.stringify(requests[0]?.event)).toContain(JSON.stringify(EXAMPLE_TEST_SCRIPT));
    // The example's server is gone; newman runs the file against one that answers the same routes.
    const api = await startServer((request, _body, response) => {
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end('[]');
    });
    try {
      const run = await runNewman(report.file, { envVars: { baseUrl: api.url } });
      expect(newmanFailures(run)).toEqual([]);
      expect(run.report.run.stats.assertions).toMatchObject({ total: 1, failed: 0 });
      expect(api.requests).toEqual(['GET /pets?sort=name', 'POST /pets']);
    } finally {
      await api.close();
    }
  });

  it('unit-test-your-rules: rules, retries and events without real time', async () => {
    const result = await runUnitTesting();
    expect(result.descriptionFromRemote).toBe('Every order, newest first');
    expect(result.summaryKeptLocal).toBe('My orders');
    expect(result.retryTimes).toEqual([500, 1000, 2000]);
    expect(result.events).toEqual(['conflict:detected', 'conflict:resolved', 'job:failed']);
  });

  it('custom-target: a Markdown target keeps the user note through a sync', async () => {
    const markdown = await runCustomTarget();
    expect(markdown).toContain('> paginated, ask Sam');
    expect(markdown).toContain('## DELETE /items/{id}');
  });

  it('server: serves /sync/status over node:http', async () => {
    const status = await runServer();
    expect(status.bindings.map((b) => b.id)).toEqual(['orders']);
    expect(status.bindings[0]?.lastResult?.outcome).toBe('applied');
  });
});
