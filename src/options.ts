/**
 * Options objects are checked at the edge, the same way at every entry
 * point: an object (not `null`, not an array) whose keys are all known. An
 * unknown key (a typo, an option of another function, a name from an older
 * release) is refused with `CONFIG_INVALID` instead of being ignored,
 * because in plain JavaScript nothing else would say so.
 *
 * @module
 */
import { ConfigError } from './errors.js';

/** A short description of any value for an "Expected …, got …" message: `` `"abc"` (string) ``, `` `null` (null) ``. */
export function describeValue(value: unknown): string {
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value)
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : value === null
          ? 'null'
          : Array.isArray(value)
            ? 'an array'
            : typeof value;
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

/** The known key closest to `key` (same letters in another case, one a prefix of the other, or one or two edits away), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const other = name.toLowerCase();
    const distance = other === lower ? 0 : other.startsWith(lower) || lower.startsWith(other) ? 1 : editDistance(lower, other);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * Check that `value`, the options object called `name` (as the message
 * shows it, e.g. `` httpSource options ``), is a plain object whose keys are
 * all in `known`, and return it. `path` prefixes the key in `details.option`
 * (`retry.` for a nested object). Throws a `ConfigError` (`CONFIG_INVALID`,
 * `details.option` naming the key) otherwise. `undefined` values of unknown
 * keys are refused too: the key itself is the mistake.
 */
export function checkOptions<T extends object>(name: string, value: unknown, known: readonly string[], path = ''): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`Expected ${name} to be an object, got ${describeValue(value)}.`, {
      hint: `Pass an object with any of: ${known.join(', ')}.`,
      details: { option: path === '' ? name : path.replace(/\.$/, '') },
    });
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new ConfigError(
      `Expected ${name} to have only the keys ${known.map((k) => `\`${k}\``).join(', ')}, got an unknown key \`${key}\`.`,
      {
        hint: near === undefined ? `Remove \`${key}\`; it is not an option here.` : `Did you mean \`${near}\`?`,
        details: { option: `${path}${key}`, known: [...known] },
      },
    );
  }
  return value as T;
}

/** `K` when it names every key of `T`, else a type no array satisfies, naming the keys it lacks. */
export type EveryKey<T, K extends readonly string[]> = [Exclude<keyof T, K[number]>] extends [never]
  ? K
  : { missingKeys: Exclude<keyof T, K[number]> };

/**
 * The known keys of an options type, checked by the compiler against it:
 * `optionKeys<HttpSourceOptions>()(['url', …])` does not compile when the
 * list misses a key of the type or names one it does not have, so the list
 * {@link checkOptions} accepts cannot drift from the documented type.
 */
export function optionKeys<T>(): <const K extends readonly (keyof T & string)[]>(keys: K & EveryKey<T, K>) => readonly string[] {
  return (keys) => Object.freeze([...keys]);
}
