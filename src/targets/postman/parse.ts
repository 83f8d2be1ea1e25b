/**
 * `parsePostmanCollection`: check that a parsed file is a Postman Collection
 * v2.1, with a message that names the JSON path of the first problem.
 *
 * @module
 */
import type { z } from 'zod';
import { TargetError } from '../../errors.js';
import { describeValue } from '../../options.js';
import { type PostmanCollection, PostmanCollectionSchema, PostmanFolderSchema, PostmanItemSchema, POSTMAN_SCHEMA_URL } from './schema.js';

/**
 * Check a parsed collection file and return it (the same object, unchanged:
 * unknown keys and key order are kept). Throws a `TargetError`
 * `TARGET_INVALID` naming the JSON path of the first problem, e.g.
 * `item[0].item[2].request.header[1].key`; a collection of another format
 * version (v1, v2.0) is refused with a hint to export it as v2.1.
 */
export function parsePostmanCollection(value: unknown): PostmanCollection {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('(root)', 'a Postman collection object', value);
  }
  const info = (value as { info?: { schema?: unknown } }).info;
  const schema = info !== null && typeof info === 'object' ? info.schema : undefined;
  if (typeof schema === 'string' && !/\/v2\.1\.\d+\//.test(schema)) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection is in the format ${JSON.stringify(schema)}; expected Postman Collection v2.1 (${POSTMAN_SCHEMA_URL}).`,
      {
        hint: 'Export the collection from Postman as "Collection v2.1" (the recommended format) and point the target at that file.',
        details: { path: 'info.schema' },
      },
    );
  }
  check(PostmanCollectionSchema, value, '');
  walk((value as { item: unknown[] }).item, 'item');
  return value as PostmanCollection;
}

function walk(entries: unknown[], path: string): void {
  entries.forEach((entry, index) => {
    const at = `${path}[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw invalid(at, 'a request or folder object', entry);
    if (Array.isArray((entry as { item?: unknown }).item)) {
      check(PostmanFolderSchema, entry, at);
      walk((entry as { item: unknown[] }).item, `${at}.item`);
    } else {
      check(PostmanItemSchema, entry, at);
    }
  });
}

function check(schema: z.ZodType, value: unknown, prefix: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = firstIssue(result.error.issues);
  let received: unknown = value;
  for (const segment of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[segment as PropertyKey];
  const path = issue.path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? String(segment) : `${text}.${String(segment)}`),
    prefix,
  );
  throw invalid(path || '(root)', expectation(issue), received);
}

/** The issue to report; for a union (a URL or request as text or as an object), the one of the branch of the value's own type. */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const issue = issues[0] as z.core.$ZodIssue;
  if (issue.code !== 'invalid_union') return issue;
  const branch = issue.errors.find((errors) => errors.length > 0 && !(errors[0]!.code === 'invalid_type' && errors[0]!.path.length === 0));
  if (branch === undefined) return issue;
  const inner = firstIssue(branch);
  return { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue;
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `${issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
  if (issue.code === 'custom') return issue.message;
  if (issue.code === 'invalid_union') return 'one of the forms the format allows';
  return issue.message;
}

function invalid(path: string, expected: string, received: unknown): TargetError {
  return new TargetError(
    'TARGET_INVALID',
    `Expected \`${path}\` to be ${expected}, got ${describeValue(received)}. The file is not a valid Postman Collection v2.1.`,
    {
      hint: 'Fix the file at that path, or export the collection from Postman again (Collection v2.1); the engine does not overwrite a file it cannot read.',
      details: { path },
    },
  );
}
