/**
 * Split a one-file OpenAPI document into the multi-file layout people keep
 * in their repositories (the layout `redocly split` writes): a root file
 * whose `paths` and `components` entries are `$ref`s to one file per path
 * item (`paths/<slug>.<ext>`) and one file per component
 * (`components/<section>/<name>.<ext>`); every internal `$ref` in those
 * files becomes a relative file reference (`../components/schemas/user.yaml`,
 * `./other.yaml#/properties/id`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { stringify } from 'yaml';

/** Options of {@link splitSpec}. */
export interface SplitOptions {
  /** The file format of each written file, by its path relative to the output folder. Default: YAML. */
  format?: (file: string) => 'json' | 'yaml';
  /** The root file's name without extension. Default `openapi`. */
  rootName?: string;
}

/** What {@link splitSpec} wrote. */
export interface SplitResult {
  /** Absolute path of the root file. */
  root: string;
  /** Every file written, relative to the output folder. */
  files: string[];
}

const LITERAL = new Set(['example', 'default', 'enum', 'const']);
const NAMED = new Set([
  'paths',
  'webhooks',
  'schemas',
  'properties',
  'patternProperties',
  'parameters',
  'responses',
  'requestBodies',
  'headers',
  'links',
  'callbacks',
  'securitySchemes',
  'pathItems',
  'content',
  'encoding',
  'variables',
  '$defs',
]);
const SECTIONS = [
  'schemas',
  'parameters',
  'responses',
  'requestBodies',
  'headers',
  'examples',
  'securitySchemes',
  'links',
  'callbacks',
  'pathItems',
];

/** Write `document` split into files under `dir`. */
export async function splitSpec(document: Record<string, unknown>, dir: string, options: SplitOptions = {}): Promise<SplitResult> {
  const formatOf = options.format ?? (() => 'yaml');
  const fileOf = new Map<string, string>(); // "#/components/schemas/X" -> "components/schemas/X.yaml"
  const used = new Set<string>();
  const name = (folder: string, base: string): string => {
    const safe = base.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '_') || '_';
    let candidate = `${folder}/${safe}`;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${folder}/${safe}_${n}`;
    used.add(candidate.toLowerCase());
    const withoutExt = candidate;
    return `${withoutExt}.${formatOf(`${withoutExt}.yaml`) === 'json' ? 'json' : 'yaml'}`;
  };
  const rootFile = `${options.rootName ?? 'openapi'}.${formatOf(`${options.rootName ?? 'openapi'}.yaml`) === 'json' ? 'json' : 'yaml'}`;
  const components = (document.components ?? {}) as Record<string, Record<string, unknown>>;
  for (const section of SECTIONS) {
    for (const key of Object.keys(components[section] ?? {}))
      fileOf.set(`#/components/${section}/${escape(key)}`, name(`components/${section}`, key));
  }
  const paths = (document.paths ?? {}) as Record<string, unknown>;
  const pathFiles = new Map<string, string>();
  for (const path of Object.keys(paths)) pathFiles.set(path, name('paths', path.replace(/^\//, '') || 'root'));

  /**
   * Rewrite the internal refs of `value`, written into `from` (relative to
   * dir), and the schema names of discriminator mappings. Literal data is
   * left alone (the loader's rules: examples, defaults, enums, `const` and
   * `x-` extensions hold values, not references); `named` says `value` is a
   * map of author-chosen names, where no key is a keyword.
   */
  const rewrite = (value: unknown, from: string, named = false): unknown => {
    if (Array.isArray(value)) return value.map((item) => rewrite(item, from));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (named) out[key] = rewrite(item, from);
      else if (key === '$ref' && typeof item === 'string' && item.startsWith('#/')) out[key] = fileRef(item, from);
      else if (LITERAL.has(key) || key.startsWith('x-') || (key === 'examples' && Array.isArray(item))) out[key] = item;
      else if (key === 'mapping' && item !== null && typeof item === 'object') {
        out[key] = Object.fromEntries(
          Object.entries(item).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('#/') ? fileRef(v, from) : v]),
        );
      } else if (key === 'examples' && item !== null && typeof item === 'object') {
        // Example objects: their `value` is data.
        out[key] = Object.fromEntries(
          Object.entries(item).map(([k, v]) => [k, v !== null && typeof v === 'object' && !('$ref' in v) ? v : rewrite(v, from)]),
        );
      } else out[key] = rewrite(item, from, NAMED.has(key));
    }
    return out;
  };
  const fileRef = (ref: string, from: string): string => {
    const parts = ref.split('/');
    for (let n = parts.length; n >= 4; n--) {
      const file = fileOf.get(parts.slice(0, n).join('/'));
      if (file === undefined) continue;
      const relative = posix.relative(posix.dirname(from), file);
      const rest = parts.slice(n);
      return `${relative.startsWith('.') ? relative : `./${relative}`}${rest.length === 0 ? '' : `#/${rest.join('/')}`}`;
    }
    // Not inside a component: a reference into the root file, unless written there.
    if (from === rootFile) return ref;
    const relative = posix.relative(posix.dirname(from), rootFile);
    return `${relative.startsWith('.') ? relative : `./${relative}`}${ref}`;
  };

  const written: Array<[string, unknown]> = [];
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    if (key === 'paths') {
      root.paths = Object.fromEntries([...pathFiles].map(([path, file]) => [path, { $ref: `./${file}` }]));
    } else if (key === 'components') {
      const out: Record<string, unknown> = {};
      for (const [section, entries] of Object.entries(components)) {
        if (!SECTIONS.includes(section)) {
          out[section] = rewrite(entries, rootFile);
          continue;
        }
        out[section] = Object.fromEntries(
          Object.keys(entries).map((k) => [k, { $ref: `./${fileOf.get(`#/components/${section}/${escape(k)}`)}` }]),
        );
      }
      root.components = out;
    } else root[key] = key.startsWith('x-') ? value : rewrite(value, rootFile);
  }
  written.push([rootFile, root]);
  for (const [path, file] of pathFiles) written.push([file, rewrite(paths[path], file)]);
  for (const section of SECTIONS) {
    for (const [key, value] of Object.entries(components[section] ?? {})) {
      const file = fileOf.get(`#/components/${section}/${escape(key)}`) as string;
      written.push([file, rewrite(value, file)]);
    }
  }
  const folders = new Set(written.map(([file]) => dirname(join(dir, file))));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  for (const [file, value] of written) {
    await writeFile(
      join(dir, file),
      file.endsWith('.json') ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 }),
    );
  }
  return { root: join(dir, rootFile), files: written.map(([file]) => file) };
}

function escape(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
