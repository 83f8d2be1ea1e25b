/**
 * Bruno's own file language, `@usebruno/lang` (an optional peer dependency,
 * loaded on first use), and the JSON shapes it reads and writes.
 *
 * @module
 */
import { ConfigError } from '../../errors.js';

/** A key-value line of a `.bru` block (`~` before the key: disabled). */
export interface BruKeyValue {
  name: string;
  value: string;
  enabled: boolean;
}

/** A `params:query` or `params:path` line. */
export interface BruParam extends BruKeyValue {
  type: 'query' | 'path';
}

/** A `vars:pre-request` or `vars:post-response` line. */
export interface BruVar extends BruKeyValue {
  local?: boolean;
}

/**
 * A request file (`*.bru`) as `bruToJsonV2` reads it and `jsonToBruV2`
 * writes it. Blocks this library does not render (`settings`, `examples`,
 * gRPC, …) are kept as they are in the other keys.
 */
export interface BruRequestFile {
  /** `meta { name, type, seq, tags }`; `seq` reads back as a string. */
  meta: { name: string; type?: string; seq?: string; tags?: string[]; [key: string]: unknown };
  /** The method block: `get { url, body, auth }`. */
  http?: { method: string; url: string; body?: string; auth?: string };
  params?: BruParam[];
  headers?: BruKeyValue[];
  /** `auth:bearer {}`, `auth:basic {}`, `auth:apikey {}`, … by mode. */
  auth?: Record<string, unknown>;
  /** `body:json {}`, `body:text {}`, `body:form-urlencoded {}`, … by mode. */
  body?: Record<string, unknown>;
  script?: { req?: string; res?: string };
  vars?: { req?: BruVar[]; res?: BruVar[] };
  assertions?: BruKeyValue[];
  tests?: string;
  docs?: string;
  [key: string]: unknown;
}

/** A `folder.bru` or `collection.bru` as `collectionBruToJson` reads it. */
export interface BruFolderFile {
  meta?: { name?: string; seq?: string; [key: string]: unknown };
  headers?: BruKeyValue[];
  /** `auth { mode }` and the mode's block. */
  auth?: { mode?: string; [key: string]: unknown };
  script?: { req?: string; res?: string };
  vars?: { req?: BruVar[]; res?: BruVar[] };
  tests?: string;
  docs?: string;
  [key: string]: unknown;
}

/** An environment file (`environments/NAME.bru`). */
export interface BruEnvironmentFile {
  variables: Array<{ name: string; value: string; enabled: boolean; secret: boolean }>;
  [key: string]: unknown;
}

/** The functions of `@usebruno/lang` this library uses. */
export interface BruLang {
  bruToJsonV2(text: string): BruRequestFile;
  jsonToBruV2(json: BruRequestFile): string;
  bruToEnvJsonV2(text: string): BruEnvironmentFile;
  envJsonToBruV2(json: BruEnvironmentFile): string;
  collectionBruToJson(text: string): BruFolderFile;
  jsonToCollectionBru(json: BruFolderFile): string;
}

let loading: Promise<BruLang> | undefined;

/**
 * `@usebruno/lang`, loaded once. A `ConfigError` `CONFIG_INVALID` when it
 * is not installed (it is an optional peer dependency of
 * `api-live-sync/bruno`).
 */
export function loadBruLang(): Promise<BruLang> {
  loading ??= (async () => {
    let module: Partial<BruLang> & { default?: Partial<BruLang> };
    try {
      // @ts-expect-error @usebruno/lang ships no type declarations; the functions used are typed above.
      module = (await import('@usebruno/lang')) as typeof module;
    } catch (error) {
      loading = undefined;
      throw new ConfigError(`The Bruno target needs the package @usebruno/lang, which could not be loaded: ${(error as Error).message}`, {
        cause: error,
        hint: 'Install it beside api-live-sync: npm install @usebruno/lang@0.39',
      });
    }
    const lang = (typeof module.bruToJsonV2 === 'function' ? module : module.default) as BruLang;
    return lang;
  })();
  return loading;
}
