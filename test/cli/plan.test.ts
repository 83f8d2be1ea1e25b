/**
 * Issue 12, item 11: `plan` prints plain text (no Markdown escapes such as
 * ``\`faxes/items/account\_sid\` ``) unless asked for Markdown with
 * `--markdown`; `--json` is unchanged. Run for real as a child process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, serveDocument, tempDir, type DocServer } from './helpers.js';

/** A Twilio-like fax list whose items have the given properties. */
function faxes(properties: Record<string, unknown>): Record<string, unknown> {
  const list = { type: 'object', properties: { faxes: { type: 'array', items: { type: 'object', properties } } } };
  return {
    openapi: '3.0.3',
    info: { title: 'Fax', version: '1.0.0' },
    paths: {
      '/faxes': {
        get: { operationId: 'list_faxes', responses: { '200': { description: 'ok', content: { 'application/json': { schema: list } } } } },
      },
    },
  };
}

describe('api-live-sync plan output', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    temp = tempDir();
    server = await serveDocument(faxes({ account_sid: { type: 'string' }, to: { type: 'string' } }));
    const first = await cli(['sync', server.url, '--out', 'fax.json'], temp.dir);
    expect(first.code).toBe(0);
    // Upstream drops a property whose name has an underscore: its change text holds a code span.
    server.set(faxes({ to: { type: 'string' } }));
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  it('prints plain text by default: the operation and the property as written, no backslash escapes', async () => {
    const before = readFileSync(join(temp.dir, 'fax.json'), 'utf8');
    const run = await cli(['plan', server.url, '--out', 'fax.json'], temp.dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/\\[`_*[\]<>|\\]/);
    expect(run.stdout).not.toMatch(/^#/m);
    expect(run.stdout).toContain('GET /faxes');
    expect(run.stdout).toContain('faxes/items/account_sid');
    expect(run.stdout).toContain('[response-optional-property-removed]');
    expect(readFileSync(join(temp.dir, 'fax.json'), 'utf8')).toBe(before);
  });

  it('prints Markdown with --markdown, the property kept as a code span', async () => {
    const run = await cli(['plan', server.url, '--out', 'fax.json', '--markdown'], temp.dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# Sync plan: fax\.json$/m);
    expect(run.stdout).toContain('### GET /faxes');
    expect(run.stdout).toContain('`faxes/items/account_sid`');
    expect(run.stdout).not.toContain('account\\_sid');
  });

  it('--json is one document with the plan, as before', async () => {
    const run = await cli(['plan', server.url, '--out', 'fax.json', '--json'], temp.dir);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ command: 'plan', exitCode: 0, bindings: [{ id: 'fax.json', plan: { outcome: 'apply' } }] });
    expect(report.bindings[0].plan.changes.map((c: { id: string }) => c.id)).toEqual(['response-optional-property-removed']);
  });

  it('--markdown belongs to plan only', async () => {
    const run = await cli(['check', server.url, '--out', 'fax.json', '--markdown'], temp.dir);
    expect(run.code).toBe(2);
  });
});
