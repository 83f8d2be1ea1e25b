/**
 * The handler's dashboard option and the two reads it added (a binding's
 * journal and changelog), over real loopback HTTP with a real engine: the
 * same Host, auth and read protections as every other route, the page and
 * its assets served with a strict content security policy and no framing.
 * The page in a browser: test/browser/dashboard.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../src/index.js';
import { changeGroup, changelogMarkdown } from '../../src/server/changelog.js';
import { bearerAuth, createSyncHandler, type ChangelogResponse, type SyncHandlerEngine } from '../../src/server/index.js';
import { petstore } from '../support/docs.js';
import { listen, petsEngine, rawRequest, serveHandler } from './support.js';

const TOKEN = { authorization: 'Bearer t0ken' };
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });

describe('GET /sources/:id/journal', () => {
  it('answers the journal newest first, at most `limit` entries (default 20)', async () => {
    const { engine, source } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    for (const count of [3, 4]) {
      source.set(petstore(count));
      await engine.syncNow('pets');
    }
    const all = (await (await fetch(`${origin}/sources/pets/journal`)).json()) as Array<{ id: string; kind: string }>;
    expect(all.map((e) => e.id)).toEqual(['j-3', 'j-2', 'j-1']);
    expect(all).toEqual(JSON.parse(JSON.stringify([...(await engine.getJournal('pets'))].reverse())));
    const one = (await (await fetch(`${origin}/sources/pets/journal?limit=1`)).json()) as Array<{ id: string }>;
    expect(one.map((e) => e.id)).toEqual(['j-3']);
    for (const limit of ['0', '-1', '1.5', 'x', '1001']) {
      const bad = await fetch(`${origin}/sources/pets/journal?limit=${limit}`);
      expect(bad.status, limit).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    }
    const missing = await fetch(`${origin}/sources/nope/journal`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'BINDING_NOT_FOUND' } });
  });

  it('is a read of local values: with auth it needs the token (protectReads sensitive), and 501 without getJournal', async () => {
    const { engine } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine, { auth: bearerAuth('t0ken') }));
    for (const path of ['journal', 'changelog']) {
      expect((await fetch(`${origin}/sources/pets/${path}`)).status, path).toBe(401);
      expect((await fetch(`${origin}/sources/pets/${path}`, { headers: TOKEN })).status, path).toBe(200);
    }
    const bare: SyncHandlerEngine = {
      getSyncStatus: () => engine.getSyncStatus(),
      toPrometheusText: () => engine.toPrometheusText(),
      syncNow: (id) => engine.syncNow(id),
      resolveConflicts: (jobId, decisions) => engine.resolveConflicts(jobId, decisions),
      on: (event, listener) => engine.on(event, listener),
      off: (event, listener) => engine.off(event, listener),
    };
    const { origin: bareOrigin } = await serveHandler(createSyncHandler(bare));
    for (const path of ['journal', 'changelog']) {
      const response = await fetch(`${bareOrigin}/sources/pets/${path}`);
      expect(response.status, path).toBe(501);
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_SUPPORTED' } });
    }
  });
});

describe('GET /sources/:id/changelog', () => {
  it('answers the last applied sync and the held one as Markdown grouped into breaking, changed, added and removed', async () => {
    const { engine, source } = await petsEngine({}, 4);
    const { origin } = await serveHandler(createSyncHandler(engine));
    source.set({ ...petstore(5), info: { title: 'Petstore', version: '2.0.0' } });
    await engine.syncNow('pets');
    source.set(petstore(1));
    expect((await engine.syncNow('pets')).outcome).toBe('held');

    const body = (await (await fetch(`${origin}/sources/pets/changelog`)).json()) as ChangelogResponse;
    expect(body.last).toMatchObject({ journalId: 'j-2', changeCount: 1 });
    expect(body.last!.markdown).toBe(
      '# pets: last applied sync\n\n## Added (1)\n\n### GET /pets4\n\n- GET /pets4 was added `endpoint-added`\n',
    );
    expect(body.held).toMatchObject({ reason: 'mass-removal', changeCount: 4, jobId: engine.getHeldSyncs()[0]!.jobId });
    expect(body.held!.markdown).toMatch(/^# pets: held sync \(mass-removal\)\n\n## Breaking \(4\)\n\n### GET \/pets1\n/);
  });

  it('escapes spec text, so a path with markup cannot inject any: the groups follow the rule ids', () => {
    const markdown = changelogMarkdown('api <b>', [
      { id: 'endpoint-added', level: 'info', operation: 'GET /x<script>', path: '/paths/x', text: 'GET /x<script> was added' },
      { id: 'api-tag-removed', level: 'info', operation: 'GET /y', path: '/paths/y', text: 'tag `<img src=x>` removed' },
      { id: 'api-path-removed-without-deprecation', level: 'breaking', path: '/paths/z', text: '*bold* [link](javascript:x)' },
      { id: 'response-success-status-changed', level: 'warning', operation: 'GET /y', path: '/paths/y', text: 'status changed' },
    ]);
    expect(markdown).toBe(
      [
        '# api \\<b\\>',
        '',
        '## Breaking (1)',
        '',
        '### Document',
        '',
        '- \\*bold\\* \\[link\\](javascript:x) `api-path-removed-without-deprecation`',
        '',
        '## Changed (1)',
        '',
        '### GET /y',
        '',
        '- status changed `response-success-status-changed`',
        '',
        '## Added (1)',
        '',
        '### GET /x\\<script\\>',
        '',
        '- GET /x\\<script\\> was added `endpoint-added`',
        '',
        '## Removed (1)',
        '',
        '### GET /y',
        '',
        '- tag `<img src=x>` removed `api-tag-removed`',
        '',
      ].join('\n'),
    );
    expect(changeGroup({ id: 'request-body-added-optional', level: 'info', path: '', text: '' })).toBe('Added');
    expect(changeGroup({ id: 'endpoint-added', level: 'breaking', path: '', text: '' })).toBe('Breaking');
    expect(changeGroup({ id: 'api-operation-id-readded', level: 'info', path: '', text: '' })).toBe('Changed');
  });
});

describe('createSyncHandler: the dashboard option', () => {
  it('is off by default: the base path falls through to next(), or 404', async () => {
    const { engine } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine));
    expect((await fetch(`${origin}/`)).status).toBe(404);
    expect((await fetch(`${origin}/dashboard/dashboard.js`)).status).toBe(404);
  });

  it('serves the page and its assets under the base path, with a strict CSP and no framing; a path without the slash is redirected', async () => {
    const { engine } = await petsEngine();
    const { origin } = await serveHandler(createSyncHandler(engine, { basePath: '/sync', dashboard: true }));
    const page = await fetch(`${origin}/sync/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).toContain('<script src="dashboard/dashboard.js" defer></script>');
    // No inline script or style: the CSP allows none.
    expect(html).not.toMatch(/<script>|<style|style="/);

    const script = await fetch(`${origin}/sync/dashboard/dashboard.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await script.text()).length).toBeGreaterThan(1000);
    const style = await fetch(`${origin}/sync/dashboard/dashboard.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await style.text()).toContain('prefers-color-scheme');

    const bare = await fetch(`${origin}/sync?x=1`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/sync/?x=1']);
  });

  it('read-only without auth unless the integrator opts in; the page needs no token even with protectReads: true, but the Host check holds', async () => {
    const { engine } = await petsEngine();
    const flags = async (options: Parameters<typeof createSyncHandler>[1]) => {
      const { origin } = await serveHandler(createSyncHandler(engine, options));
      const html = await (await fetch(`${origin}/`)).text();
      return /<body data-auth="(\w+)" data-actions="(\w+)" data-protected-reads="(\w+)">/.exec(html)!.slice(1);
    };
    expect(await flags({ dashboard: true })).toEqual(['false', 'false', 'false']);
    expect(await flags({ dashboard: { actionsWithoutAuth: true } })).toEqual(['false', 'true', 'false']);
    expect(await flags({ dashboard: true, auth: bearerAuth('t0ken') })).toEqual(['true', 'true', 'true']);
    expect(await flags({ dashboard: true, auth: bearerAuth('t0ken'), protectReads: false })).toEqual(['true', 'true', 'false']);

    const handler = createSyncHandler(engine, { dashboard: true, auth: bearerAuth('t0ken'), protectReads: true });
    const { origin } = await serveHandler(handler);
    for (const path of ['/', '/dashboard/dashboard.js', '/dashboard/dashboard.css']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(200);
      const rebound = await rawRequest(`${origin}${path}`, { headers: { host: 'evil.example:80' } });
      expect(rebound.status, path).toBe(403);
      expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
    }
    expect((await fetch(`${origin}/status`)).status).toBe(401);
    expect((await post(`${origin}/sources/pets/sync`)).status).toBe(401);
  });

  it('finds the page through next() under Express-style mounting: the redirect uses originalUrl', async () => {
    const { engine } = await petsEngine();
    const handler = createSyncHandler(engine, { dashboard: true });
    const { origin } = await listen((req, res) => {
      // What app.use('/sync', handler) does: strip the mount path, keep the original.
      if (req.url?.startsWith('/sync')) {
        Object.assign(req, { originalUrl: req.url, url: req.url.slice('/sync'.length) || '/' });
        void handler(req, res);
      } else res.writeHead(404).end();
    });
    const bare = await fetch(`${origin}/sync`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/sync/']);
    expect((await fetch(`${origin}/sync/`)).status).toBe(200);
  });

  it('refuses a dashboard option of the wrong shape with CONFIG_INVALID', async () => {
    const { engine } = await petsEngine();
    for (const dashboard of ['yes', 1, null, { actions: true }, { actionsWithoutAuth: 'true' }]) {
      let caught: unknown;
      try {
        createSyncHandler(engine, { dashboard } as never);
      } catch (error) {
        caught = error;
      }
      expect(isSyncError(caught) && caught.code, JSON.stringify(dashboard)).toBe('CONFIG_INVALID');
    }
  });
});
