/**
 * Binding ids: the one pattern every entry checks (the engine, the CLI's
 * config file and arguments, the file store), so that an id can name a
 * binding in a store directory, a URL path, a log line and a metric label
 * without being a path step or carrying invisible characters.
 *
 * @module
 */
import { BindingError } from './errors.js';

/** The longest binding id, in characters (Unicode code points). */
const MAX_LENGTH = 128;

/** A slash, a backslash, a control character (C0, DEL, C1) or a lone UTF-16 surrogate. */
const FORBIDDEN = /[/\\\p{Cc}\uD800-\uDFFF]/u;

/** Why `value` is not a binding id, or `undefined` when it is one. */
function problemOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : typeof value}`;
  if (value === '') return 'an empty string';
  const length = [...value].length;
  if (length > MAX_LENGTH) return `${length} characters`;
  if (value === '.' || value === '..') return 'a path step';
  if (value.trim() === '') return 'only white space';
  const forbidden = FORBIDDEN.exec(value)?.[0];
  if (forbidden !== undefined) {
    if (forbidden === '/' || forbidden === '\\') return `a "${forbidden}"`;
    const unit = forbidden.charCodeAt(0);
    return unit >= 0xd800 && unit <= 0xdfff
      ? 'a lone UTF-16 surrogate'
      : `the control character U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/**
 * True when `value` is a valid binding id: a string of 1 to 128 characters
 * that is not only white space, holds no `/`, no `\`, no control character
 * (and no lone UTF-16 surrogate), and is not `.` or `..`. Such an id is safe
 * as a store key, a URL path segment (encoded) and a metric label.
 *
 * @example
 * ```ts
 * isValidBindingId('billing-api.json'); // true
 * isValidBindingId('..');               // false
 * ```
 */
export function isValidBindingId(value: unknown): value is string {
  return problemOf(value) === undefined;
}

/**
 * Throw a {@link BindingError} with code `BINDING_ID_INVALID` unless `value`
 * is a valid binding id (see {@link isValidBindingId}). `what` names the value
 * in the message, e.g. `` `id` `` or `` `bindings[2].id` ``.
 */
export function assertBindingId(value: unknown, what = 'the binding id'): asserts value is string {
  const problem = problemOf(value);
  if (problem === undefined) return;
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  throw new BindingError(
    'BINDING_ID_INVALID',
    `Expected ${what} to be 1 to ${MAX_LENGTH} characters without "/", "\\" or control characters, and not "." or "..", got ${shown} (${problem}).`,
    {
      hint: 'Pick an id such as "petstore" or "billing-api.json".',
      details: { id: typeof value === 'string' ? value.slice(0, MAX_LENGTH + 1) : String(value) },
    },
  );
}
