/**
 * File and directory names of a Bruno collection: safe on every file system
 * Bruno runs on, and unique within their folder.
 *
 * @module
 */

const INVALID = /[<>:"/\\|?*\u0000-\u001f]/g;
const RESERVED_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
/** Names a request file or folder may not take: Bruno's own files, and the environments folder. */
const RESERVED = new Set(['folder', 'collection', 'environments', 'bruno']);
/** The longest name kept, in characters (file systems allow 255 bytes; `.bru` and a ` (99)` suffix must fit). */
const MAX_LENGTH = 120;

/**
 * A file or directory name for a request or folder name, as Bruno's own
 * `sanitizeName` makes it (characters file systems refuse become `-`;
 * leading dots, spaces and hyphens and trailing dots and spaces go), and
 * also: whitespace runs become one space, at most 120 characters, Windows
 * device names and the names of Bruno's own files get ` (1)`; empty becomes
 * `untitled`.
 */
export function safeName(name: string): string {
  let safe = name
    .replace(/\s+/g, ' ')
    .replace(INVALID, '-')
    .replace(/^[.\s-]+/, '')
    .replace(/[.\s]+$/, '');
  if (safe.length > MAX_LENGTH) safe = safe.slice(0, MAX_LENGTH).replace(/[.\s]+$/, '');
  if (safe === '') return 'untitled';
  if (RESERVED_DEVICE.test(safe) || RESERVED.has(safe.toLowerCase())) return `${safe} (1)`;
  return safe;
}

/**
 * Hands out names unique within one folder, case-insensitively (macOS and
 * Windows fold case): the first `name` keeps it, the next get ` (2)`, ` (3)`.
 */
export class NameSet {
  readonly #taken = new Set<string>();

  /** Take `name` (already {@link safeName}d) or the first free variant of it. */
  take(name: string): string {
    let candidate = name;
    for (let n = 2; this.#taken.has(candidate.toLowerCase()); n++) candidate = `${name} (${n})`;
    this.#taken.add(candidate.toLowerCase());
    return candidate;
  }
}
