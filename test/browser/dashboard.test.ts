/**
 * The review dashboard (`createSyncHandler(engine, { dashboard: true })`,
 * started by examples/dashboard.ts) in headless Chromium, driven by
 * playwright-core as live-page.test.ts does, against a real engine whose
 * source is a real HTTP server that changes and whose target is a real
 * file. One story, in order: the token is entered once; the table updates
 * live; a held breaking change is approved from the page and the file then
 * holds it; two conflicts are decided from the page (take remote for one,
 * keep local for the other) and the file holds exactly those; a rollback
 * from the page restores the file; spec text with `<script>` shows as text.
 * Screenshots of each state go to test-artifacts/dashboard/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ordersApi, startDashboardExample, type DashboardExample } from '../../examples/dashboard.js';
import { SourceError } from '../../src/index.js';
import { createSyncHandler } from '../../src/server/index.js';
import { petstore } from '../support/docs.js';
import { petsEngine, serveHandler } from '../server/support.js';

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
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/dashboard');

let browser: Browser | undefined;
let app: DashboardExample | undefined;

afterEach(async () => {
  await browser?.close();
  await app?.close();
  browser = undefined;
  app = undefined;
});

type OpenApi = { paths: Record<string, Record<string, Record<string, unknown>>> };
const readFileJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as OpenApi;

/** What a script outside the page does: ask the handler for a sync, with the token. */
function syncFromOutside(example: DashboardExample): Promise<{ outcome: string }> {
  return fetch(`${example.api}/sources/orders/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${example.token}`, 'content-type': 'application/json' },
  }).then((r) => r.json() as Promise<{ outcome: string }>);
}

/**
 * Text whose contrast with its background is under WCAG AA (4.5:1; 3:1 for
 * bold text from 18.66 px and any text from 24 px), as `text (ratio)`:
 * every element with its own text, against the first opaque background up
 * its ancestors. Evaluated in the page.
 */
const LOW_CONTRAST = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c; }
    return rgb(getComputedStyle(document.documentElement).backgroundColor);
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '') || el.closest('.visually-hidden, [hidden]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.disabled) continue;
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(el.textContent.trim().slice(0, 40) + ' (' + ratio.toFixed(2) + ')');
  }
  return low;
})()`;

/** A screenshot of the whole page, and one of `detail` (what docs/images/ shows, after pngquant) when given. */
async function shot(page: Page, name: string, detail?: Locator): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect((await readFile(path)).subarray(1, 4).toString()).toBe('PNG');
  if (detail) await detail.screenshot({ path: join(ARTIFACTS, `${name}-detail.png`) });
}

describe('the review dashboard in headless Chromium', () => {
  it(
    'shows bindings live, approves a held sync, decides conflicts, rolls back, and keeps spec text as text',
    { timeout: 120_000 },
    async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with \`bash scripts/install-chromium.sh\``).toBe(true);
      const dir = await mkdtemp(join(tmpdir(), 'als-dashboard-test-'));
      app = await startDashboardExample({ dir, pollMs: 0, token: 'page-token', log: () => undefined });
      const example = app;

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 15_000 });
      const page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
      page.setDefaultTimeout(10_000);
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      const row = page.locator('#bindings tr[data-binding="orders"]');
      const state = row.locator('[data-state]');

      // Opening the page: the binding is listed (GET /status is open) and the page asks for the token.
      await page.goto(example.url);
      await expect.poll(() => state.textContent()).toBe('idle');
      await page.getByLabel('Access token').waitFor();
      expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
      await page.getByLabel('Access token').fill('page-token');
      await page.getByRole('button', { name: 'Use token' }).click();
      await expect.poll(() => page.evaluate('document.body.dataset.live')).toBe('true');
      expect(await page.evaluate("sessionStorage.getItem('api-live-sync:dashboard-token')")).toBe('page-token');
      await expect.poll(() => page.locator('#changes').textContent()).toContain('GET /orders/{id} was added');
      await shot(page, '1-bindings');

      // Live: the API gains an operation and a script outside the page asks for a sync; the page follows without a reload.
      example.setDocument(ordersApi(2));
      expect((await syncFromOutside(example)).outcome).toBe('applied');
      await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('1');
      await expect.poll(() => page.locator('#changes').textContent()).toContain('POST /orders was added');
      expect(await page.locator('#changes h4').allTextContents()).toEqual(['Added (1)']);
      expect(await page.locator('#held').textContent()).toBe('No sync is held.');
      await shot(page, '2-what-changed', page.locator('main'));

      // Held: a breaking change (a new required parameter) waits for review; Approve on the page applies it.
      example.setDocument(ordersApi(3));
      expect((await syncFromOutside(example)).outcome).toBe('held');
      await expect.poll(() => state.textContent()).toBe('held');
      const heldCard = page.getByRole('article', { name: 'Held sync of orders' });
      await expect.poll(() => heldCard.textContent()).toContain('The remote carries breaking changes.');
      expect(await heldCard.locator('h5').allTextContents()).toEqual(['Breaking (1)']);
      expect((await readFileJson(example.file)).paths['/orders']!['get']!['parameters']).toBeUndefined();
      await shot(page, '3-held', heldCard);
      await page.getByRole('button', { name: 'Approve the held sync of orders' }).click();
      await expect.poll(() => page.locator('#held').textContent()).toBe('No sync is held.');
      expect((await readFileJson(example.file)).paths['/orders']!['get']!['parameters']).toEqual([
        { name: 'tenant', in: 'query', required: true, schema: { type: 'string' } },
      ]);
      await expect.poll(() => state.textContent()).toBe('idle');

      // Conflicts: the person edited two summaries and a description; the API changed all three, its description with markup in it.
      const local = await readFileJson(example.file);
      local.paths['/orders']!['get']!['summary'] = 'My orders (local)';
      local.paths['/orders']!['get']!['description'] = 'My notes (local)';
      local.paths['/orders/{id}']!['get']!['summary'] = 'One order (local)';
      await writeFile(example.file, `${JSON.stringify(local, null, 2)}\n`);
      const beforeConflicts = await readFile(example.file, 'utf8');
      const remote = ordersApi(3) as OpenApi;
      remote.paths['/orders']!['get']!['summary'] = 'All orders (remote)';
      remote.paths['/orders/{id}']!['get']!['summary'] = 'One order (remote)';
      remote.paths['/orders']!['get']!['description'] =
        'Remote <script>window.pwned = true</script><img src=x onerror="window.pwned = true">';
      example.setDocument(remote as unknown as Record<string, unknown>);
      const conflictSync = syncFromOutside(example);
      const form = page.getByRole('form', { name: 'Conflicts of orders' });
      await form.waitFor();
      await expect.poll(() => state.textContent()).toBe('running');
      const summary = form.locator('fieldset[data-path="/paths/~1orders/get/summary"]');
      const description = form.locator('fieldset[data-path="/paths/~1orders/get/description"]');
      const oneOrder = form.locator('fieldset[data-path="/paths/~1orders~1{id}/get/summary"]');
      await expect.poll(() => form.locator('fieldset').count()).toBe(3);
      // The markup is text: shown literally, never run, no element made of it.
      expect(await description.getByLabel('Remote value').textContent()).toContain(
        '"Remote <script>window.pwned = true</script><img src=x',
      );
      expect(await page.evaluate('window.pwned')).toBeUndefined();
      expect(await page.locator('main script, main img').count()).toBe(0);
      await shot(page, '4-conflicts', form);
      await summary.getByRole('radio', { name: 'Take remote' }).check();
      await description.getByRole('radio', { name: 'Keep local' }).check();
      await oneOrder.getByRole('radio', { name: 'Edit value' }).check();
      await oneOrder.getByLabel('Value for /paths/~1orders~1{id}/get/summary (JSON)').fill('"One order (edited)"');
      await form.getByRole('button', { name: 'Submit decisions for orders' }).click();
      expect((await conflictSync).outcome).toBe('applied');
      const decided = (await readFileJson(example.file)).paths;
      expect([
        decided['/orders']!['get']!['summary'],
        decided['/orders']!['get']!['description'],
        decided['/orders/{id}']!['get']!['summary'],
      ]).toEqual(['All orders (remote)', 'My notes (local)', 'One order (edited)']);
      await expect.poll(() => page.locator('#conflicts').textContent()).toBe('No job waits for a decision.');
      expect(await page.evaluate('window.pwned')).toBeUndefined();

      // Rollback: the newest journal entry (the conflict sync) is undone from the page, after a confirmation naming it.
      const journal = page.locator('#journal tbody tr');
      await expect.poll(() => journal.first().getAttribute('data-entry')).toBe('j-4');
      await page.getByRole('button', { name: 'Roll back orders to before j-4' }).click();
      const dialog = page.getByRole('dialog', { name: 'Roll back orders to before j-4?' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('j-4, sync');
      // Only the two summaries changed in the file (the description kept the local value), so only they are restored.
      expect((await dialog.locator('code').allTextContents()).sort()).toEqual([
        '/paths/~1orders/get/summary',
        '/paths/~1orders~1{id}/get/summary',
      ]);
      await shot(page, '5-rollback-confirm', dialog);
      await dialog.getByRole('button', { name: 'Roll back 1 entry' }).click();
      await expect.poll(() => journal.first().getAttribute('data-entry')).toBe('j-5');
      expect(JSON.parse(await readFile(example.file, 'utf8'))).toEqual(JSON.parse(beforeConflicts));
      expect(await journal.first().textContent()).toContain('undid j-4');

      // Dark and narrow: the system preference picks the colours; the page stays readable at phone width.
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize({ width: 420, height: 800 });
      const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      expect(background).toBe('rgb(15, 18, 22)');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(420);
      await shot(page, '6-dark-narrow', page.locator('body'));

      expect(pageErrors).toEqual([]);
    },
  );

  it(
    'without auth is read-only; opted in, it acts from the keyboard; after a dropped stream it catches up from /status',
    { timeout: 60_000 },
    async () => {
      const { engine, source } = await petsEngine(
        { defaultIntervalMs: 0, retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 } },
        4,
      );
      source.set(petstore(1));
      expect((await engine.syncNow('pets')).outcome).toBe('held');
      const readOnly = await serveHandler(createSyncHandler(engine, { dashboard: true }));
      const handler = createSyncHandler(engine, { dashboard: { actionsWithoutAuth: true } });
      const acting = await serveHandler(handler);

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 15_000 });
      const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
      page.setDefaultTimeout(10_000);

      // No auth: the held sync is shown, with no button to act on it, and no token is asked for.
      await page.goto(`${readOnly.origin}/`);
      const held = page.getByRole('article', { name: 'Held sync of pets' });
      await held.waitFor();
      expect(await held.getByRole('button').count()).toBe(0);
      expect(await page.locator('main button', { hasText: /Sync now|Roll back/ }).count()).toBe(0);
      expect(await page.locator('#token-form').isHidden()).toBe(true);
      expect(await page.locator('#mode').textContent()).toContain('Read-only');

      // Opted in: the same held sync is dismissed with the keyboard alone.
      await page.goto(`${acting.origin}/`);
      await held.waitFor();
      await expect.poll(() => page.evaluate('document.body.dataset.live')).toBe('true');
      const dismiss = held.getByRole('button', { name: 'Dismiss the held sync of pets' });
      for (let i = 0; i < 40 && !(await dismiss.evaluate((el) => el === el.ownerDocument.activeElement)); i++)
        await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#held').textContent()).toBe('No sync is held.');
      expect(engine.getHeldSyncs()).toEqual([]);

      // The stream drops (the handler ends it); a sync happens meanwhile; the page reconnects and reads /status.
      const changes = page.locator('#bindings tr[data-binding="pets"] td').nth(4);
      expect(await changes.textContent()).toBe('3'); // the held run's three removals
      handler.close();
      await expect.poll(() => page.evaluate('document.body.dataset.live')).toBe('false');
      expect(await page.locator('#connection').textContent()).toMatch(/^Disconnected \(.*\); reconnecting in 1 s\.$/);
      source.set(petstore(5));
      expect((await engine.syncNow('pets')).outcome).toBe('applied');
      await expect.poll(() => page.evaluate('document.body.dataset.live')).toBe('true');
      await expect.poll(() => changes.textContent()).toBe('1');

      // The other states, live: paused, then (resumed) a breaker that opens on a failure.
      const state = page.locator('#bindings tr[data-binding="pets"] [data-state]');
      await engine.startSync();
      await engine.onIdle();
      await engine.pauseSync();
      await expect.poll(() => state.textContent()).toBe('paused');
      await engine.resumeSync();
      await expect.poll(() => state.textContent()).toBe('idle');
      source.fail(new SourceError('SOURCE_CONNECTION_REFUSED', 'connect ECONNREFUSED', { hint: 'Start the API.' }));
      await expect(engine.syncNow('pets')).rejects.toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED' });
      await expect.poll(() => state.textContent()).toBe('breaker open');
      expect(await page.locator('#bindings tr[data-binding="pets"] .outcome').textContent()).toBe('failed (SOURCE_CONNECTION_REFUSED)');

      // Every text meets WCAG AA contrast, in light and in dark.
      expect(await page.evaluate(LOW_CONTRAST)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await page.evaluate(LOW_CONTRAST)).toEqual([]);
    },
  );
});
