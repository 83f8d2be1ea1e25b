/**
 * The CLI's own wording of hints. A library error's hint speaks to a
 * programmer (`raise maxBytes`, `let discoverSpec(baseUrl) find it`, `pass
 * { force: true }`); a person at the command line needs the command or flag
 * instead. The error keeps its library hint; this one table, keyed by code
 * and reading the error's `details`, says what the CLI shows in its place.
 * A row returns `undefined` to keep the library hint (it already fits).
 *
 * @module
 */
import {
  DISCOVER_DEFAULTS,
  HTTP_SOURCE_DEFAULTS,
  isSyncError,
  type SerializedSyncError,
  type SyncError,
  type SyncErrorCode,
} from '../index.js';

/** The CLI's hint for one error, or `undefined` to keep the library's. */
export type CliHintRow = (error: SerializedSyncError) => string | undefined;

const seconds = (ms: number): string => `${ms / 1000} s`;

function originOf(url: unknown): string {
  try {
    return new URL(String(url)).origin;
  } catch {
    return '<base URL>';
  }
}

const TIMEOUTS: Record<string, string> = {
  connect: `to connect (${seconds(HTTP_SOURCE_DEFAULTS.connectTimeoutMs)})`,
  headers: `for the response headers (${seconds(HTTP_SOURCE_DEFAULTS.headersTimeoutMs)})`,
  body: `for the whole body (${seconds(HTTP_SOURCE_DEFAULTS.bodyTimeoutMs)})`,
};

const CREDENTIALS = 'pass them with `--header "Authorization: Bearer <token>"` (or the binding\'s `headers` in the config file)';

/** Every code whose library hint names library API, with what the CLI says instead. */
export const CLI_HINTS: Readonly<Partial<Record<SyncErrorCode, CliHintRow>>> = Object.freeze({
  SOURCE_HTTP_STATUS: (error) => {
    switch (error.details.status) {
      case 401:
        return `The server wants credentials: ${CREDENTIALS}.`;
      case 403:
        return 'The credentials were refused or lack permission: check the `--header` you pass and the account.';
      case 404:
        return `Nothing at this path: check the URL, or run \`api-live-sync discover ${originOf(error.details.url)}\` to find where the API serves its document.`;
      default:
        return undefined;
    }
  },
  SOURCE_TOO_LARGE: (error) => {
    // The exact size when the error knows it; a streamed read stopped at the limit knows only that it is larger.
    const known = [error.details.size, error.details.contentLength].find((n): n is number => typeof n === 'number' && n > 0);
    const limit = typeof error.details.maxBytes === 'number' ? error.details.maxBytes : undefined;
    const needed = known ?? (limit === undefined ? undefined : limit * 2);
    const size = needed === undefined ? '<size>' : `${Math.ceil(needed / 1024 ** 2)}MB`;
    return `If the document really is that large, pass \`--max-bytes ${size}\` (or \`"maxBytes": "${size}"\` in the config file, for all bindings or one); otherwise check that the source is the OpenAPI document.`;
  },
  SOURCE_HOST_NOT_ALLOWED: (error) =>
    typeof error.details.host === 'string'
      ? `Add \`--allow-host ${error.details.host}\` if you trust it (with the other hosts you allow); otherwise the server is sending you somewhere unexpected.`
      : undefined,
  SOURCE_TIMEOUT: (error) => {
    const phase = TIMEOUTS[String(error.details.phase)];
    return `The server is slow or stuck: the CLI waits ${phase ?? 'a fixed time'}. Check that it answers (a cold start or a huge document can take longer).`;
  },
  SOURCE_TLS: () => 'For a dev server with a self-signed certificate, give Node its CA: `NODE_EXTRA_CA_CERTS=ca.pem api-live-sync …`.',
  SOURCE_REDIRECT_LIMIT: (error) =>
    error.details.loop === true
      ? undefined
      : `Use the final URL of the document directly: the CLI follows at most ${HTTP_SOURCE_DEFAULTS.maxRedirects} redirects.`,
  SOURCE_NOT_A_FILE: () =>
    'Point the source at the OpenAPI document itself; a folder, FIFO, socket or device is never read (a FIFO would block).',
  SOURCE_FAILED: (error) =>
    error.details.errno === 'ELOOP' ? 'Point the source at the real file: this path is a symlink loop.' : undefined,
  DISCOVERY_FAILED: (error) => {
    const tried = Array.isArray(error.details.tried) ? (error.details.tried as Array<{ outcome?: unknown }>) : [];
    if (tried.length > 0 && tried.every((t) => t.outcome === 'HTTP 401' || t.outcome === 'HTTP 403'))
      return `Every path wanted credentials: ${CREDENTIALS.replace(" (or the binding's `headers` in the config file)", '')}.`;
    if (tried.some((t) => t.outcome === 'SOURCE_TOO_LARGE')) {
      return `Some paths answered more than ${DISCOVER_DEFAULTS.maxBytes} bytes: if one is the document, sync its URL directly with \`api-live-sync sync <url> --out <file>\`.`;
    }
    return "Enable the framework's OpenAPI endpoint, or sync the document's URL directly with `api-live-sync sync <url> --out <file>` (node_modules/api-live-sync/docs/discovery.md lists the paths tried).";
  },
  SPEC_ALIAS_LIMIT: () =>
    'Expand the aliases in the file: the CLI refuses a YAML document that expands them this often, as a possible alias bomb.',
  SPEC_TOO_DEEP: () => 'Real OpenAPI documents are far shallower: check the generator that wrote this one.',
  SPEC_REMOTE_REF: () => 'Bundle the document into one file (for example with `redocly bundle`) and sync that file.',
  SPEC_NO_PATHS: () =>
    'A server often serves this before its routes are registered: check that it did; `watch` looks again at the next poll.',
  BINDING_CONFIG_CONFLICT: () =>
    'Give every `api-live-sync worker` the same config file entry for this binding id, or another id. To change it, stop the workers that run the old one: their record goes when they stop, or one `--lease-ttl` after one died.',
  ROLLBACK_REFUSED: (error) => {
    if (error.details.reason === 'local-changed') {
      return 'Pass `--force` to roll back anyway (your edits are recorded in the new journal entry: roll that back to get them again).';
    }
    if (error.details.reason === 'patch-failed')
      return 'Roll back with `--force` only to the newest entry (`--to` it), or restore the file from version control.';
    return undefined;
  },
});

/** The hint the CLI shows for an error: its own wording from {@link CLI_HINTS}, else the error's hint. */
export function cliHint(error: SyncError | SerializedSyncError): string | undefined {
  const serialized = isSyncError(error) ? error.toJSON() : error;
  return CLI_HINTS[serialized.code]?.(serialized) ?? serialized.hint;
}
