import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSyncError } from '../../src/errors.js';
import { loadSpec, type SpecVersion } from '../../src/document/index.js';
import { digest, expectGolden, goldenName, tableText } from '../support/golden.js';
import { listFiles, npmFixture } from '../support/npm-fixtures.js';

/**
 * Expected outputs (see test/support/golden.ts; `UPDATE_GOLDEN=1` rewrites
 * them): per document its canonical hash, a digest of the loaded document as
 * serialised (key order included) and its number of warnings, or the error
 * code; and the whole loaded document of a few small ones.
 */
const GOLDEN = join(import.meta.dirname, 'golden');
const PINNED = ['2.0/yaml/petstore-simple.yaml', '3.1/yaml/webhooks.yaml'];

/** Documents of the package that are deliberately incomplete, and the code they must give. */
const EXPECTED_ERRORS: Record<string, string> = {
  // A workshop step: info only, `paths: {}`.
  '3.0/json/openapi-workshop/title.json': 'SPEC_NO_PATHS',
};

describe('every document of @readme/oas-examples', () => {
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    dir = await npmFixture('@readme/oas-examples', '8.2.2');
    files = (await listFiles(dir)).filter((file) => /^(2\.0|3\.0|3\.1)\/.*\.(json|ya?ml)$/.test(file));
  });

  it('loads each, or refuses it with the expected typed error, and gives the expected documents', async () => {
    expect(files.length).toBeGreaterThan(100);
    const outcomes: Record<string, { hash: string; digest: string; warnings: number } | { error: string }> = {};
    for (const file of files) {
      const version = file.slice(0, 3) as SpecVersion;
      try {
        const loaded = await loadSpec(await readFile(join(dir, file)), { location: file });
        expect(loaded.sourceVersion, file).toBe(version);
        expect(String(loaded.document.openapi), file).toMatch(version === '3.1' ? /^3\.1\./ : /^3\.0\./);
        expect(loaded.hash, file).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(loaded.format, file).toBe(file.includes('/json/') ? 'json' : 'yaml');
        const text = JSON.stringify(loaded.document, null, 2);
        outcomes[file] = { hash: loaded.hash, digest: digest(text), warnings: loaded.warnings.length };
        if (PINNED.includes(file)) await expectGolden(join(GOLDEN, goldenName(file)), `${text}\n`);
      } catch (error) {
        if (!isSyncError(error)) throw error;
        outcomes[file] = { error: error.code };
      }
    }
    const failures = Object.fromEntries(
      Object.entries(outcomes).flatMap(([file, outcome]) => ('error' in outcome ? [[file, outcome.error]] : [])),
    );
    expect(failures).toEqual(EXPECTED_ERRORS);
    expect(PINNED.every((file) => files.includes(file))).toBe(true);
    await expectGolden(join(GOLDEN, 'oas-examples.json'), tableText(outcomes));
  });

  it('gives the JSON and YAML copies of each example the same hash', async () => {
    const pairs = files.filter(
      (file) => file.includes('/json/') && files.includes(file.replace('/json/', '/yaml/').replace(/\.json$/, '.yaml')),
    );
    expect(pairs.length).toBeGreaterThan(40);
    const differing: string[] = [];
    for (const file of pairs) {
      if (EXPECTED_ERRORS[file] !== undefined) continue;
      const json = await loadSpec(await readFile(join(dir, file)));
      const yaml = await loadSpec(await readFile(join(dir, file.replace('/json/', '/yaml/').replace(/\.json$/, '.yaml'))));
      if (json.hash !== yaml.hash) differing.push(file);
    }
    // These five pairs really differ in content (descriptions edited in one copy, an operation
    // under another method, a schema restructured); checked by hand. Every other pair hashes equal.
    expect(differing).toEqual([
      '2.0/json/petstore-expanded.json',
      '3.0/json/petstore-expanded.json',
      '3.0/json/uspto.json',
      '3.1/json/parameters-style.json',
      '3.1/json/train-travel.json',
    ]);
  });
});
