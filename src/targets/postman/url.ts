/**
 * Postman URLs: the object form the app writes (`raw` beside `host`, `path`,
 * `query` and `variable`), built from an address and read back into one.
 * The app shows `raw`; newman runs the parts: both are always written, and
 * agree (`raw` holds the enabled query parameters only, as the app writes it).
 *
 * @module
 */
import type { PostmanKeyValue, PostmanUrl, PostmanVariable } from './schema.js';

/** An address as the Postman target works with it: no query string; query parameters and path variables beside it. */
export interface PostmanAddress {
  /** E.g. `{{baseUrl}}/pets/:petId`: path variables as `:name`. */
  address: string;
  /** Query parameters, in order; `disabled: true` ones are kept but not sent. */
  query: PostmanKeyValue[];
  /** Path variables (`:name` in `address`), with their values. */
  variable: PostmanVariable[];
  /** The `#fragment`, if any. */
  hash?: string;
}

/** Build the URL object of an address (see {@link PostmanAddress}). */
export function postmanUrl(parts: PostmanAddress): PostmanUrl {
  const { address, query, variable, hash } = parts;
  const sent = query.filter((q) => q.disabled !== true);
  const queryText = sent
    .map((q) => `${rawPart(q.key ?? '', true)}${typeof q.value === 'string' ? `=${rawPart(q.value, false)}` : ''}`)
    .join('&');
  const raw = `${address}${sent.length > 0 ? `?${queryText}` : ''}${hash === undefined ? '' : `#${hash}`}`;
  const url: PostmanUrl = { raw, ...splitAddress(address) };
  if (query.length > 0) url.query = query;
  if (hash !== undefined) url.hash = hash;
  if (variable.length > 0) url.variable = variable;
  return url;
}

/**
 * A query key or value as `raw` writes it, as the Postman SDK writes it:
 * `&` and `#` (and `=` in a key) percent-encoded, except inside `{{variables}}`,
 * so that `raw` reads back into the same parameters.
 */
function rawPart(text: string, isKey: boolean): string {
  return text
    .split(/(\{\{[^{}]*\}\})/)
    .map((part, index) => {
      if (index % 2 === 1) return part;
      const encoded = part.replaceAll('&', '%26').replaceAll('#', '%23');
      return isKey ? encoded.replaceAll('=', '%3D') : encoded;
    })
    .join('');
}

/**
 * Read a URL (object or text) back into an address, its query parameters and
 * path variables. The parts win over `raw` where both are present, because
 * they are what newman sends.
 */
export function readPostmanUrl(url: PostmanUrl | string | undefined): PostmanAddress {
  if (url === undefined) return { address: '', query: [], variable: [] };
  if (typeof url === 'string') return fromText(url);
  const fromRaw = fromText(url.raw ?? '');
  const hasParts = url.host !== undefined || url.path !== undefined;
  const address = hasParts ? joinAddress(url) : fromRaw.address;
  const query = Array.isArray(url.query) ? url.query : fromRaw.query;
  const hash = url.hash ?? fromRaw.hash;
  return {
    address,
    query,
    variable: Array.isArray(url.variable) ? url.variable : [],
    ...(hash === undefined ? {} : { hash }),
  };
}

/** The path variables of an address (`:name` segments), in order. */
export function pathVariableNames(address: string): string[] {
  return [...address.matchAll(/(?:^|\/):([A-Za-z0-9_.-]+)(?=\/|$)/g)].map((m) => m[1] as string);
}

function fromText(text: string): PostmanAddress {
  const hashAt = text.indexOf('#');
  const hash = hashAt >= 0 ? text.slice(hashAt + 1) : undefined;
  const beforeHash = hashAt >= 0 ? text.slice(0, hashAt) : text;
  const queryAt = beforeHash.indexOf('?');
  const address = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const queryText = queryAt >= 0 ? beforeHash.slice(queryAt + 1) : '';
  const query: PostmanKeyValue[] =
    queryText === ''
      ? []
      : queryText.split('&').map((pair) => {
          const eq = pair.indexOf('=');
          return eq < 0 ? { key: pair, value: null } : { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
        });
  return { address, query, variable: [], ...(hash === undefined ? {} : { hash }) };
}

/** `protocol`, `host`, `port` and `path` of an address, as the app splits it. */
function splitAddress(address: string): Pick<PostmanUrl, 'protocol' | 'host' | 'port' | 'path'> {
  let rest = address;
  const out: Pick<PostmanUrl, 'protocol' | 'host' | 'port' | 'path'> = {};
  const protocol = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (protocol) {
    out.protocol = protocol[1] as string;
    rest = rest.slice(protocol[0].length);
  }
  const slash = rest.indexOf('/');
  let hostPart = slash < 0 ? rest : rest.slice(0, slash);
  const pathPart = slash < 0 ? '' : rest.slice(slash + 1);
  const port = /:(\d+|\{\{[^}]+\}\})$/.exec(hostPart);
  if (port) {
    out.port = port[1] as string;
    hostPart = hostPart.slice(0, -port[0].length);
  }
  out.host = hostPart === '' ? [] : /^\{\{[^}]+\}\}$/.test(hostPart) ? [hostPart] : hostPart.split('.');
  out.path = slash < 0 ? [] : pathPart.split('/');
  return out;
}

function joinAddress(url: PostmanUrl): string {
  const host = Array.isArray(url.host) ? url.host.join('.') : (url.host ?? '');
  const segments = Array.isArray(url.path) ? url.path : url.path ? url.path.replace(/^\//, '').split('/') : [];
  const protocol = url.protocol ? `${url.protocol}://` : '';
  const port = url.port ? `:${url.port}` : '';
  return `${protocol}${host}${port}${segments.length > 0 ? `/${segments.join('/')}` : ''}`;
}
