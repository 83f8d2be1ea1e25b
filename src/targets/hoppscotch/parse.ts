/**
 * `parseCollection`: validate a collection file, with messages that name the
 * JSON path of the first problem.
 *
 * @module
 */
import type { z } from 'zod';
import { TargetError } from '../../errors.js';
import { HoppCollectionSchema, type HoppCollection } from './schema.js';

/**
 * Validate a parsed collection file. Accepts a single collection (what
 * "Export collection" writes) or an array of them ("Export all"), and
 * returns the same shape: one collection, or an array. Missing fields that
 * Hoppscotch defaults are filled in; unknown keys are kept.
 *
 * Throws a `TargetError` with code `TARGET_INVALID` whose message names the
 * JSON path of the first problem, e.g. `folders[0].requests[2].auth.authType`.
 */
export function parseCollection<T>(value: T): ParsedCollection<T>;
export function parseCollection(value: unknown): HoppCollection | HoppCollection[] {
  if (Array.isArray(value)) return value.map((item, index) => parseOne(item, `[${index}]`, value));
  return parseOne(value, '', value);
}

/**
 * What {@link parseCollection} returns for an input of type `T`: an array
 * for an array, one collection for any other object, and either when the
 * input's type says nothing (`unknown`, or the `any` of `JSON.parse`).
 */
export type ParsedCollection<T> = 0 extends 1 & T
  ? HoppCollection | HoppCollection[]
  : T extends readonly unknown[]
    ? HoppCollection[]
    : unknown extends T
      ? HoppCollection | HoppCollection[]
      : HoppCollection;

/** Like {@link parseCollection}, but always returns an array (a single collection becomes a one-element array). */
export function parseCollections(value: unknown): HoppCollection[] {
  const parsed: HoppCollection | HoppCollection[] = parseCollection(value);
  return Array.isArray(parsed) ? parsed : [parsed];
}

function parseOne(value: unknown, prefix: string, root: unknown): HoppCollection {
  checkVersions(value, prefix, 12);
  const result = HoppCollectionSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = firstIssue(result.error.issues);
  const path = formatPath(prefix, issue.path);
  const received = lookup(root, prefix, issue.path);
  throw invalid(path, expectation(issue), received);
}

type Issue = z.core.$ZodIssue;

/**
 * The issue to report. For a union (v11 or v12 collection, file or text form
 * field), report from the branch whose version or discriminator matched.
 */
function firstIssue(issues: readonly Issue[]): Issue {
  const issue = issues[0] as Issue;
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const tag = (branch: readonly Issue[]) =>
      branch.some((inner) => inner.path.length === 1 && (inner.path[0] === 'v' || inner.path[0] === 'isFile'));
    const branch = issue.errors.find((candidate) => candidate.length > 0 && !tag(candidate)) ?? issue.errors[0];
    if (branch !== undefined && branch.length > 0) {
      const inner = firstIssue(branch);
      return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
    }
  }
  return issue;
}

/** Versions are checked first, so that the message says "version" rather than a field deep inside. */
function checkVersions(value: unknown, prefix: string, maxVersion: number): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(prefix || '(root)', 'a Hoppscotch collection object', value);
  }
  const record = value as Record<string, unknown>;
  const v = record.v;
  if (v !== 11 && v !== 12) {
    throw new TargetError(
      'TARGET_INVALID',
      `Unsupported Hoppscotch collection version at ${formatPath(prefix, ['v'])}: expected 11 or 12, got ${show(v)}.`,
      {
        hint:
          typeof v === 'number' && v > 12
            ? 'The file was written by a newer Hoppscotch than this library knows; update api-live-sync.'
            : 'Open the collection in a current Hoppscotch (2025.x or later) and export it again; it is then saved as v12.',
        details: { path: formatPath(prefix, ['v']), received: v },
      },
    );
  }
  if (v > maxVersion) {
    throw invalid(formatPath(prefix, ['v']), `a folder version up to its parent's (${maxVersion})`, v);
  }
  if (Array.isArray(record.requests)) {
    record.requests.forEach((request, index) => {
      const rv = (request as Record<string, unknown> | null)?.v;
      if (rv !== '17') {
        const path = formatPath(prefix, ['requests', index, 'v']);
        throw new TargetError('TARGET_INVALID', `Unsupported Hoppscotch request version at ${path}: expected "17", got ${show(rv)}.`, {
          hint: 'Only REST requests of version "17" are read. Open the collection in a current Hoppscotch and export it again.',
          details: { path, received: rv },
        });
      }
    });
  }
  if (Array.isArray(record.folders)) {
    record.folders.forEach((folder, index) => checkVersions(folder, formatPath(prefix, ['folders', index]), v));
  }
}

function expectation(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return issue.values.map((v) => show(v)).join(' | ');
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      return options ? options.map((v) => show(v)).join(' | ') : issue.message;
    }
    default:
      return issue.message;
  }
}

function invalid(path: string, expected: string, received: unknown): TargetError {
  return new TargetError('TARGET_INVALID', `Invalid Hoppscotch collection at ${path}: expected ${expected}, got ${show(received)}.`, {
    hint: 'Fix the collection file at that path, or export it again from Hoppscotch.',
    details: { path },
  });
}

/** `folders[0].requests[2].auth.authType`. */
function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? '(root)' : out;
}

function lookup(root: unknown, prefix: string, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  const head = /^\[(\d+)\]/.exec(prefix);
  const segments: PropertyKey[] = head ? [Number(head[1])] : [];
  for (const part of prefix.slice(head ? head[0].length : 0).matchAll(/\.?([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) {
    segments.push(part[1] ?? Number(part[2]));
  }
  for (const segment of [...segments, ...path]) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
