/**
 * `createSyncHandler`: the engine over HTTP, as one node:http request
 * handler that also works as Express, Fastify and Koa middleware.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import type { ConflictDecision } from '../conflict/index.js';
import { changelogOf } from './changelog.js';
import { DASHBOARD_HEADERS, loadDashboardAssets, resolveDashboard, slashRedirect, type DashboardAssets } from './dashboard.js';
import { HttpError, readBody, readJsonBody, sendError, sendJson } from './http.js';
import { checkHost, checkSameOrigin, requireJsonContentType, resolveRequestPolicy, type RequestPolicy } from './security.js';
import { EventStreamHub, parseEventFilter } from './sse.js';
import type { NextFunction, SyncHandler, SyncHandlerEngine, SyncHandlerOptions } from './types.js';

/** The content type of `GET /metrics`: the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface ResolvedOptions {
  basePath: string;
  auth: SyncHandlerOptions['auth'];
  protectReads: boolean | 'sensitive';
  policy: RequestPolicy;
  heartbeatMs: number;
  maxBodyBytes: number;
  maxBufferedBytes: number;
  onError: (error: unknown, req: IncomingMessage) => void;
  /** The dashboard's page and assets, when `dashboard` is on. */
  dashboard: DashboardAssets | undefined;
}

interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: readonly string[];
  /** The JSON object body of a `POST` (`{}` when empty); `{}` for a `GET`. */
  body: Record<string, unknown>;
}

interface Route {
  /** Path segments after the base path; `:` marks a parameter. */
  pattern: readonly string[];
  method: 'GET' | 'POST';
  /** A read that shows local values: it needs `auth` unless `protectReads` is false. */
  sensitive?: true;
  /** The dashboard page and its assets: never behind `auth` (a browser opening a page sends no header); they hold no data. */
  page?: true;
  run: (context: RouteContext) => Promise<void> | void;
}

function describe(value: unknown): string {
  return `\`${JSON.stringify(value) ?? String(value)}\` (${value === null ? 'null' : typeof value})`;
}

const HANDLER_KEYS = optionKeys<SyncHandlerOptions>()([
  'basePath',
  'auth',
  'protectReads',
  'allowedHosts',
  'allowedOrigins',
  'heartbeatMs',
  'maxBodyBytes',
  'maxBufferedBytes',
  'onError',
  'dashboard',
]);

function resolveOptions(options: SyncHandlerOptions): ResolvedOptions {
  checkOptions('createSyncHandler options', options, HANDLER_KEYS);
  const basePath = options.basePath ?? '';
  if (typeof basePath !== 'string' || (basePath !== '' && !basePath.startsWith('/')) || /[?#]/.test(basePath)) {
    throw new ConfigError(`Expected \`basePath\` to be '' or a path starting with '/', got ${describe(basePath)}.`, {
      hint: "For example '/sync'.",
    });
  }
  if (options.auth !== undefined && typeof options.auth !== 'function') {
    throw new ConfigError(`Expected \`auth\` to be a function (req) => boolean, got ${describe(options.auth)}.`);
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new ConfigError(`Expected \`onError\` to be a function, got ${describe(options.onError)}.`);
  }
  const number = (name: string, value: unknown, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new ConfigError(`Expected \`${name}\` to be a number from ${min} and up, got ${describe(value)}.`);
    }
    return value;
  };
  const protectReads = options.protectReads ?? 'sensitive';
  if (protectReads !== true && protectReads !== false && protectReads !== 'sensitive') {
    throw new ConfigError(`Expected \`protectReads\` to be true, false or 'sensitive', got ${describe(protectReads)}.`);
  }
  const onError = options.onError;
  const dashboard = resolveDashboard(options.dashboard, options.auth !== undefined, protectReads);
  return {
    dashboard: dashboard === undefined ? undefined : loadDashboardAssets(dashboard),
    basePath: basePath.replace(/\/+$/, ''),
    auth: options.auth,
    protectReads,
    policy: resolveRequestPolicy(options),
    heartbeatMs: number('heartbeatMs', options.heartbeatMs, 15_000, 0),
    maxBodyBytes: number('maxBodyBytes', options.maxBodyBytes, 64 * 1024, 0),
    maxBufferedBytes: number('maxBufferedBytes', options.maxBufferedBytes, 1024 * 1024, 1),
    onError: (error, req) => {
      try {
        onError?.(error, req);
      } catch {
        // A failing reporter must not turn into a second failure.
      }
    },
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'REQUEST_INVALID', `Expected a JSON object as the body, got ${describe(body)}.`);
  }
  return body as Record<string, unknown>;
}

function notSupported(name: string): HttpError {
  return new HttpError(501, 'NOT_SUPPORTED', `This engine has no \`${name}()\` method.`, {
    hint: 'Upgrade api-live-sync, or pass an engine that implements it.',
  });
}

function journalLimit(url: URL): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return 20;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > 1000) {
    throw new HttpError(400, 'REQUEST_INVALID', `Expected \`limit\` to be an integer from 1 to 1000, got ${JSON.stringify(raw)}.`);
  }
  return limit;
}

function dashboardRoutes(assets: DashboardAssets): Route[] {
  const send = (res: ServerResponse, type: string, body: string | Buffer): void => {
    res.writeHead(200, { ...DASHBOARD_HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  return [
    {
      method: 'GET',
      pattern: [],
      page: true,
      run: ({ req, res }) => {
        const location = slashRedirect(req);
        if (location !== undefined) {
          res.writeHead(308, { location, 'cache-control': 'no-cache', 'content-length': '0' }).end();
          return;
        }
        send(res, 'text/html; charset=utf-8', assets.html);
      },
    },
    {
      method: 'GET',
      pattern: ['dashboard', 'dashboard.js'],
      page: true,
      run: ({ res }) => send(res, 'text/javascript; charset=utf-8', assets.script),
    },
    {
      method: 'GET',
      pattern: ['dashboard', 'dashboard.css'],
      page: true,
      run: ({ res }) => send(res, 'text/css; charset=utf-8', assets.style),
    },
  ];
}

function routes(engine: SyncHandlerEngine, hub: EventStreamHub): Route[] {
  const journal = async (sourceId: string) => {
    if (typeof engine.getJournal !== 'function') throw notSupported('getJournal');
    return engine.getJournal(sourceId);
  };
  return [
    { method: 'GET', pattern: ['status'], run: ({ res }) => sendJson(res, 200, engine.getSyncStatus()) },
    {
      method: 'GET',
      pattern: ['metrics'],
      run: ({ res }) => {
        const text = engine.toPrometheusText();
        res.writeHead(200, {
          'content-type': PROMETHEUS_CONTENT_TYPE,
          'cache-control': 'no-store',
          'content-length': String(Buffer.byteLength(text)),
        });
        res.end(text);
      },
    },
    {
      method: 'GET',
      pattern: ['held'],
      sensitive: true,
      run: ({ res }) => {
        if (typeof engine.getHeldSyncs !== 'function') throw notSupported('getHeldSyncs');
        sendJson(res, 200, engine.getHeldSyncs());
      },
    },
    {
      method: 'GET',
      pattern: ['conflicts'],
      sensitive: true,
      run: ({ res }) => {
        if (typeof engine.getPendingDecisions !== 'function') throw notSupported('getPendingDecisions');
        sendJson(res, 200, engine.getPendingDecisions());
      },
    },
    {
      method: 'GET',
      pattern: ['sources', ':', 'journal'],
      sensitive: true,
      run: async ({ res, params, url }) => {
        const limit = journalLimit(url);
        sendJson(res, 200, [...(await journal(params[0]!))].reverse().slice(0, limit));
      },
    },
    {
      method: 'GET',
      pattern: ['sources', ':', 'changelog'],
      sensitive: true,
      run: async ({ res, params }) => {
        const id = params[0]!;
        const entries = await journal(id);
        sendJson(res, 200, changelogOf(id, entries, typeof engine.getHeldSyncs === 'function' ? engine.getHeldSyncs() : []));
      },
    },
    {
      method: 'GET',
      pattern: ['events'],
      sensitive: true,
      run: ({ req, res, url }) => hub.open(req, res, parseEventFilter(url.searchParams.get('events'))),
    },
    {
      method: 'POST',
      pattern: ['sources', ':', 'sync'],
      run: async ({ res, params }) => sendJson(res, 200, await engine.syncNow(params[0]!)),
    },
    {
      method: 'POST',
      pattern: ['sources', ':', 'rollback'],
      run: async ({ res, params, body }) => {
        if (typeof engine.rollback !== 'function') throw notSupported('rollback');
        const to = body['toJournalId'];
        if (to !== undefined && (typeof to !== 'string' || to === '')) {
          throw new HttpError(400, 'REQUEST_INVALID', `Expected \`toJournalId\` to be a non-empty string, got ${describe(to)}.`, {
            hint: 'Omit it to undo the latest applied sync.',
          });
        }
        const force = body['force'];
        if (force !== undefined && typeof force !== 'boolean') {
          throw new HttpError(400, 'REQUEST_INVALID', `Expected \`force\` to be a boolean, got ${describe(force)}.`);
        }
        const id = params[0]!;
        const toJournalId = to as string | undefined;
        const args: [string, string?] = toJournalId === undefined ? [id] : [id, toJournalId];
        const result = force === undefined ? await engine.rollback(...args) : await engine.rollback(id, toJournalId, { force });
        sendJson(res, 200, result);
      },
    },
    {
      method: 'POST',
      pattern: ['jobs', ':', 'approve'],
      run: async ({ res, params }) => {
        if (typeof engine.approve !== 'function') throw notSupported('approve');
        sendJson(res, 200, await engine.approve(params[0]!));
      },
    },
    {
      method: 'POST',
      pattern: ['jobs', ':', 'dismiss'],
      run: async ({ res, params }) => {
        if (typeof engine.dismiss !== 'function') throw notSupported('dismiss');
        sendJson(res, 200, await engine.dismiss(params[0]!));
      },
    },
    {
      method: 'POST',
      pattern: ['jobs', ':', 'decisions'],
      run: async ({ res, params, body }) => {
        const decisions = body['decisions'];
        if (!Array.isArray(decisions)) {
          throw new HttpError(400, 'REQUEST_INVALID', `Expected \`decisions\` to be an array, got ${describe(decisions)}.`, {
            hint: 'Send { "decisions": [{ "path": "/paths/~1pets/get/summary", "take": "remote", "reason": "..." }] }; GET /conflicts lists the waiting jobs.',
          });
        }
        const answer = await engine.resolveConflicts(params[0]!, decisions as ConflictDecision[]);
        // What was taken and what was refused (and why), when the engine says so.
        sendJson(res, 200, {
          ok: true,
          jobId: params[0],
          decisions: decisions.length,
          ...(answer ? { accepted: answer.accepted.length, refused: answer.refused, undecided: answer.undecided.map((c) => c.path) } : {}),
        });
      },
    },
  ];
}

/** Match `segments` against the routes: the route and its parameters, the methods the path allows, or nothing. */
function match(
  table: readonly Route[],
  segments: readonly string[],
  method: string,
): { route?: Route; params: string[]; allowed: string[] } {
  const allowed: string[] = [];
  for (const route of table) {
    if (route.pattern.length !== segments.length) continue;
    const params: string[] = [];
    const fits = route.pattern.every((part, i) => {
      const segment = segments[i]!;
      if (part === ':') {
        params.push(segment);
        return segment !== '';
      }
      return part === segment;
    });
    if (!fits) continue;
    if (route.method === method) return { route, params, allowed };
    allowed.push(route.method);
  }
  return { params: [], allowed };
}

/** Path segments under `basePath`, decoded; undefined when the path is not under it. */
function segmentsOf(pathname: string, basePath: string): string[] | undefined {
  if (basePath !== '' && pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return undefined;
  const rest = pathname.slice(basePath.length).replace(/^\/+/, '').replace(/\/+$/, '');
  if (rest === '') return [];
  return rest.split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new HttpError(400, 'REQUEST_INVALID', `The path segment ${JSON.stringify(part)} is not valid percent-encoding.`);
    }
  });
}

/**
 * Create an HTTP request handler that exposes an engine:
 *
 * | method | path | does |
 * |---|---|---|
 * | GET | `/status` | `engine.getSyncStatus()` as JSON |
 * | GET | `/metrics` | `engine.toPrometheusText()` |
 * | GET | `/events` | Server-Sent Events of every engine event (`?events=a,b` filters) |
 * | GET | `/held` | `engine.getHeldSyncs()` |
 * | GET | `/conflicts` | `engine.getPendingDecisions()` |
 * | GET | `/sources/:id/journal` | `engine.getJournal(id)`, newest first, `?limit=` (default 20) |
 * | GET | `/sources/:id/changelog` | the last applied and the held sync of a binding as Markdown changelogs |
 * | GET | `/` | the review dashboard, with `dashboard: true` (docs/dashboard.md) |
 * | POST | `/sources/:id/sync` | `engine.syncNow(id)`, answers the `SyncResult` |
 * | POST | `/sources/:id/rollback` | `engine.rollback(id, body.toJournalId?, { force: body.force })` |
 * | POST | `/jobs/:jobId/approve` | `engine.approve(jobId)` |
 * | POST | `/jobs/:jobId/dismiss` | `engine.dismiss(jobId)` |
 * | POST | `/jobs/:jobId/decisions` | `engine.resolveConflicts(jobId, body.decisions)` |
 *
 * Errors are JSON `{ error: { code, message, hint } }` with a status from
 * the code (see {@link httpStatusForCode}). Invalid options throw
 * `CONFIG_INVALID`.
 *
 * Safe by default, so that no web page the user visits can drive it through
 * the browser: every route refuses a `Host` that is not a loopback name or
 * in `allowedHosts` (403 `HOST_NOT_ALLOWED`); every `POST` refuses a request
 * from a page of another origin unless it is in `allowedOrigins` (403
 * `CROSS_SITE_REFUSED`) and needs `content-type: application/json` (415);
 * every body is capped at `maxBodyBytes` (413), and a refused request is
 * answered before its body is read. With `auth`, every `POST` and the reads
 * that show local values (`/events`, `/held`, `/conflicts`, a binding's
 * journal and changelog; see `protectReads`) need it to return true (`401`
 * otherwise).
 *
 * @example
 * ```ts
 * const handler = createSyncHandler(engine, { basePath: '/sync', auth: bearerAuth(process.env.SYNC_TOKEN) });
 * http.createServer(handler).listen(8080, '127.0.0.1');
 * ```
 */
export function createSyncHandler(engine: SyncHandlerEngine, handlerOptions: SyncHandlerOptions = {}): SyncHandler {
  if (
    engine === null ||
    typeof engine !== 'object' ||
    typeof engine.getSyncStatus !== 'function' ||
    typeof engine.on !== 'function' ||
    typeof engine.off !== 'function'
  ) {
    throw new ConfigError(`Expected an engine with getSyncStatus(), on() and off(), got ${describe(engine)}.`, {
      hint: 'Pass a SyncEngine.',
    });
  }
  const resolved = resolveOptions(handlerOptions);
  const hub = new EventStreamHub(engine, resolved);
  const table = [...routes(engine, hub), ...(resolved.dashboard ? dashboardRoutes(resolved.dashboard) : [])];

  const needsAuth = (route: Route): boolean =>
    route.page !== true &&
    (route.method === 'POST' || resolved.protectReads === true || (resolved.protectReads === 'sensitive' && route.sensitive === true));

  const allow = async (req: IncomingMessage, route: Route): Promise<boolean> => {
    if (resolved.auth === undefined || !needsAuth(route)) return true;
    try {
      return (await resolved.auth(req)) === true;
    } catch (error) {
      resolved.onError(error, req);
      return false;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, next?: NextFunction): Promise<void> => {
    const report = (error: unknown): void => resolved.onError(error, req);
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const segments = segmentsOf(url.pathname, resolved.basePath);
      const found = segments === undefined ? { params: [], allowed: [] } : match(table, segments, req.method ?? 'GET');
      if (!found.route && found.allowed.length === 0 && next) {
        next();
        return;
      }
      // Refusals come before anything is read or run, in this order: Host (every route), origin (POST), auth, content type (POST), body size.
      checkHost(req, resolved.policy);
      if (!found.route) {
        if (found.allowed.length > 0) {
          const methods = [...new Set(found.allowed)].join(', ');
          throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} is not allowed here; use ${methods}.`, {
            headers: { allow: methods },
          });
        }
        throw new HttpError(404, 'ROUTE_NOT_FOUND', `No endpoint at ${url.pathname}.`, {
          hint: `Endpoints: GET ${resolved.basePath}/status, /metrics, /events, /held, /conflicts, /sources/:id/journal, /sources/:id/changelog; POST ${resolved.basePath}/sources/:id/sync, /sources/:id/rollback, /jobs/:jobId/approve, /jobs/:jobId/dismiss, /jobs/:jobId/decisions.`,
        });
      }
      const route = found.route;
      if (route.method === 'POST') checkSameOrigin(req, resolved.policy);
      if (!(await allow(req, route))) {
        throw new HttpError(401, 'UNAUTHORIZED', 'This endpoint requires authorisation.', {
          hint: 'Send the credentials the server expects.',
        });
      }
      let body: Record<string, unknown> = {};
      if (route.method === 'POST') {
        requireJsonContentType(req);
        body = objectBody(await readJsonBody(req, resolved.maxBodyBytes));
      } else {
        // A read takes no body, but one sent anyway is capped like any other.
        await readBody(req, resolved.maxBodyBytes);
      }
      await route.run({ req, res, url, params: found.params, body });
    } catch (error) {
      // A body still on its way is not read: closing the connection after the answer ends it.
      if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
      sendError(res, error, report);
    }
  };

  return Object.defineProperties(handle, {
    close: { value: () => hub.closeAll(), enumerable: true },
    clients: { get: () => hub.size, enumerable: true },
  }) as SyncHandler;
}
