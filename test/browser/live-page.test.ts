/**
 * The example page of examples/server.ts in a real browser: headless
 * Chromium (Debian's `chromium` package, installed by
 * scripts/install-chromium.sh) driven by playwright-core. The page reads
 * `/sync/events`; a sync triggered over HTTP must show up on it live.
 * A screenshot goes to test-artifacts/live-page.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startExample, type ExampleServer } from '../../examples/server.js';
import type { SyncResult } from '../../src/index.js';

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
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'live-page.png');
const TOKEN = 'dev-token'; // the example's token for POSTs

/** The fake API's document with `count` operations (the example's own shape). */
const api = (count: number) => ({
  openapi: '3.0.3',
  info: { title: 'Orders', version: String(count) },
  paths: Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `/orders${i === 0 ? '' : `/v${i}`}`,
      { get: { operationId: `listOrders${i}`, summary: `List orders (${i})`, responses: { '200': { description: 'ok' } } } },
    ]),
  ),
});

let browser: Browser | undefined;
let app: ExampleServer | undefined;

afterEach(async () => {
  await browser?.close();
  await app?.close();
  browser = undefined;
  app = undefined;
});

async function poll(test: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('the example live page in headless Chromium', () => {
  it('shows a sync happening live, from /sync/events', { timeout: 30_000 }, async () => {
    expect(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install Debian's chromium package with \`bash scripts/install-chromium.sh\` (.ci/run does this), then run the browser test again`,
    ).toBe(true);

    app = await startExample(() => undefined);
    const server = app;
    const applied: string[] = [];
    server.engine.on('sync:applied', (e) => {
      applied.push(e.jobId);
    });
    const listenersBefore = server.engine.listenerCount('sync:applied');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 15_000 });
    const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Every request of the page must succeed (the browser's own favicon probe aside).
    page.on('response', (response) => {
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico')
        pageErrors.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      if (!request.url().includes('/sync/events')) pageErrors.push(`failed: ${request.url()}`);
    });

    await page.goto(`${server.origin}/`);
    await expect.poll(() => page.textContent('#state')).toBe('running, 1 binding(s)');
    // The page's EventSource is open and the handler has subscribed to the engine for it.
    await page.waitForFunction('typeof stream === "object" && stream.readyState === EventSource.OPEN');
    await poll(() => server.engine.listenerCount('sync:applied') > listenersBefore, 'the event stream to subscribe to the engine');
    expect(await page.locator('#events li').count()).toBe(0);

    // A sync of an unchanged document: the page shows the job start, and no applied sync.
    const unchanged = await fetch(`${server.origin}/sync/sources/orders/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    expect(unchanged.status).toBe(200);
    expect(((await unchanged.json()) as SyncResult).outcome).toBe('unchanged');
    await page.locator('#events li', { hasText: 'job:started orders' }).first().waitFor();
    expect(await page.locator('#events li', { hasText: 'sync:applied' }).count()).toBe(0);

    // The API changes (a new route) and the sync endpoint is called: the page shows the applied sync.
    server.source.set(api(2));
    const sync = await fetch(`${server.origin}/sync/sources/orders/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    expect(sync.status).toBe(200);
    expect(['applied', 'unchanged']).toContain(((await sync.json()) as SyncResult).outcome);
    const item = page.locator('#events li', { hasText: 'sync:applied orders' });
    await item.waitFor();
    expect(await item.textContent()).toMatch(/^\d{1,2}:\d{2}:\d{2}.* sync:applied orders$/);
    // Exactly the one applied sync the engine reported, shown once, after its job started (the list is newest first).
    expect(applied).toHaveLength(1);
    expect(await item.count()).toBe(1);
    const chronological = (await page.locator('#events li').allTextContents())
      .reverse()
      .map((text) => text.replace(/^.*? (job:started|sync:applied) /, '$1 '));
    expect(chronological.slice(0, 3)).toEqual(['job:started orders', 'job:started orders', 'sync:applied orders']);
    await expect.poll(() => page.textContent('#state')).toBe('running, 1 binding(s)');
    expect(pageErrors).toEqual([]);

    await mkdir(ARTIFACTS, { recursive: true });
    await rm(SCREENSHOT, { force: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = await readFile(SCREENSHOT);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(1_000);
  });
});
