/**
 * The handler against a real browser (headless Chromium, as in
 * live-page.test.ts): a page of another site cannot make the browser run a
 * sync (HTML form post, `no-cors` fetch, CORS fetch), while a page of the
 * server's own origin can. The handler has no `auth` here: the defaults alone
 * must hold. What Chromium actually sent is recorded, so the headers the
 * node:http tests in test/server/security.test.ts imitate are checked too.
 */
import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncHandler } from '../../src/server/index.js';
import { EventRecorder } from '../../src/testing/index.js';
import { listen, petsEngine } from '../server/support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Browser | undefined;

afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

const html = (body: string) => `<!doctype html><meta charset="utf-8"><title>page</title>${body}`;

describe('createSyncHandler in headless Chromium', () => {
  it('refuses what a cross-site page makes the browser send, and serves a same-origin page', { timeout: 30_000 }, async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with \`bash scripts/install-chromium.sh\``).toBe(true);
    const { engine } = await petsEngine();
    const started = new EventRecorder(engine, ['job:started']);
    const handler = createSyncHandler(engine);
    const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
    const server = await listen((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      void handler(req, res, () => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html('<p>the sync page</p>')));
    });
    const target = `${server.origin}/sources/pets/sync`;
    const evil = await listen((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          html(
            `<form id="form" method="POST" action="${target}" enctype="text/plain"><input name="{&quot;a&quot;:&quot;" value="&quot;}"></form>`,
          ),
        );
    });
    // localhost and 127.0.0.1 are different sites: the evil page is cross-site to the handler.
    const evilOrigin = evil.origin.replace('127.0.0.1', 'localhost');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 15_000 });
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${evilOrigin}/`);

    // A no-cors fetch with a text/plain body: the page cannot read the answer, but the request goes out.
    const noCors = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
    await page.evaluate(
      (url) => fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' }).then(() => 'sent'),
      target,
    );
    expect((await noCors).status()).toBe(403);

    // A CORS fetch with JSON: the preflight is not granted, so the POST itself is never sent.
    const cors = await page.evaluate(
      (url) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
          () => 'answered',
          () => 'blocked',
        ),
      target,
    );
    expect(cors).toBe('blocked');

    // An HTML form post: a top-level navigation to the handler.
    const [navigation] = await Promise.all([
      page.waitForNavigation({ url: target }),
      page.evaluate('document.getElementById("form").submit()'),
    ]);
    expect(navigation?.status()).toBe(403);
    expect(JSON.parse((await navigation?.text()) ?? '{}')).toMatchObject({ error: { code: 'CROSS_SITE_REFUSED' } });

    expect(started.events).toEqual([]);
    const posts = seen.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    for (const post of posts) expect(post.headers).toMatchObject({ origin: evilOrigin, 'sec-fetch-site': 'cross-site' });
    expect(posts.map((p) => [p.headers['sec-fetch-mode'], p.headers['content-type']])).toEqual([
      ['no-cors', 'text/plain'],
      ['navigate', 'text/plain'],
    ]);
    expect(seen.filter((r) => r.method === 'OPTIONS')).toHaveLength(1);

    // A page of the server's own origin may POST JSON.
    await page.goto(`${server.origin}/`);
    const outcome = await page.evaluate(() =>
      fetch('/sources/pets/sync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(async (r) => [
        r.status,
        ((await r.json()) as { outcome: string }).outcome,
      ]),
    );
    expect(outcome).toEqual([200, 'unchanged']);
    expect(seen.at(-1)?.headers).toMatchObject({ origin: server.origin, 'sec-fetch-site': 'same-origin' });
    expect(started.events).toHaveLength(1);
  });
});
