/**
 * The documents of `@readme/oas-examples` 8.2.2 (Swagger 2.0, OpenAPI 3.0
 * and 3.1, JSON and YAML), loaded for the golden tests. Swagger 2.0 ones are
 * upgraded with swagger2openapi's `convertObj`, as the engine does.
 */
import { createRequire } from 'node:module';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { listFiles, npmFixture } from '../../support/npm-fixtures.js';

type ConvertObj = (document: unknown, options: Record<string, unknown>) => Promise<{ openapi: Record<string, unknown> }>;
const { convertObj } = createRequire(import.meta.url)('swagger2openapi') as { convertObj: ConvertObj };

/** One example document. */
export interface ExampleDocument {
  /** Its path inside the package, e.g. `3.0/json/petstore.json`. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  /** The OpenAPI 3.x document (2.0 ones upgraded). */
  document: Record<string, unknown>;
}

/** Every example document whose path matches `pattern`, in path order. */
export async function oasExamples(pattern: RegExp = /^(2\.0|3\.0|3\.1)\/(json|yaml)\/.+\.(json|yaml)$/): Promise<ExampleDocument[]> {
  const root = await npmFixture('@readme/oas-examples', '8.2.2');
  const out: ExampleDocument[] = [];
  for (const file of await listFiles(root)) {
    if (!pattern.test(file)) continue;
    const path = join(root, file);
    const text = await readFile(path, 'utf8');
    let document = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as Record<string, unknown>;
    if (document.swagger === '2.0') document = (await convertObj(document, { patch: true, warnOnly: true, text })).openapi;
    out.push({ file, bytes: (await stat(path)).size, document });
  }
  return out;
}
