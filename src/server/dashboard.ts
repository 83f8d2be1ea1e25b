/**
 * The review dashboard of `createSyncHandler(engine, { dashboard: true })`:
 * one HTML page and its two static assets (script and style sheet, built
 * from src/server/dashboard/ into dist/dashboard/ by `npm run build`),
 * served under the handler's base path. Loaded only when the option is on.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../errors.js';
import type { SyncHandlerDashboardOptions } from './types.js';

/** The built assets and the page, ready to send. */
export interface DashboardAssets {
  html: string;
  script: Buffer;
  style: Buffer;
}

/** Where the built script and style sheet live: dist/dashboard/ in the package, src/server/dashboard/ in a checkout. */
const ASSET_DIRECTORY = new URL('./dashboard/', import.meta.url);

/**
 * What the page may do: it talks to the same routes with the same checks,
 * and shows its action buttons only when the handler has `auth` or the
 * integrator opted in with `actionsWithoutAuth`.
 */
export interface DashboardSettings {
  /** The handler has `auth`: the page asks for the token. */
  auth: boolean;
  /** The page shows its action buttons. */
  actions: boolean;
  /** The reads of local values (`/events`, `/held`, …) need the token: the page waits for it before asking. */
  protectedReads: boolean;
}

/** Resolve the `dashboard` option; throws `CONFIG_INVALID`. */
export function resolveDashboard(value: unknown, hasAuth: boolean, protectReads: boolean | 'sensitive'): DashboardSettings | undefined {
  if (value === undefined || value === false) return undefined;
  const protectedReads = hasAuth && protectReads !== false;
  if (value === true) return { auth: hasAuth, actions: hasAuth, protectedReads };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const options = value as SyncHandlerDashboardOptions;
    const unknown = Object.keys(options).filter((key) => key !== 'actionsWithoutAuth');
    if (unknown.length === 0 && (options.actionsWithoutAuth === undefined || typeof options.actionsWithoutAuth === 'boolean')) {
      return { auth: hasAuth, actions: hasAuth || options.actionsWithoutAuth === true, protectedReads };
    }
  }
  throw new ConfigError(
    `Expected \`dashboard\` to be a boolean or { actionsWithoutAuth?: boolean }, got \`${JSON.stringify(value) ?? String(value)}\`.`,
    { hint: 'Use dashboard: true; without `auth` the page is read-only unless dashboard: { actionsWithoutAuth: true }.' },
  );
}

/** Read the built assets; throws `CONFIG_INVALID` naming the missing file when the package was built without them. */
export function loadDashboardAssets(settings: DashboardSettings): DashboardAssets {
  const read = (name: string): Buffer => {
    const url = new URL(name, ASSET_DIRECTORY);
    try {
      return readFileSync(url);
    } catch (error) {
      throw new ConfigError(`The dashboard asset ${url.pathname} is missing.`, {
        hint: 'The published package ships it in dist/dashboard/; in a checkout of api-live-sync, run `npm run build` or `npm run build:dashboard`.',
        cause: error,
      });
    }
  };
  return { html: page(settings), script: read('dashboard.js'), style: read('dashboard.css') };
}

/** The page: a skeleton the script fills; the settings go in data attributes (booleans only, nothing from a request). */
function page(settings: DashboardSettings): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>api-live-sync dashboard</title>
<link rel="stylesheet" href="dashboard/dashboard.css">
<script src="dashboard/dashboard.js" defer></script>
</head>
<body data-auth="${settings.auth}" data-actions="${settings.actions}" data-protected-reads="${settings.protectedReads}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<h1>api-live-sync</h1>
<p id="connection" role="status" aria-live="polite">Connecting…</p>
<form id="token-form" class="token" hidden>
<label for="token" id="token-label">Access token</label>
<input id="token" name="token" type="password" autocomplete="off">
<button type="submit" id="use-token">Use token</button>
<button type="button" id="forget-token">Forget the token</button>
</form>
<p id="mode" class="mode"></p>
</header>
<main id="main">
<section aria-labelledby="bindings-title"><h2 id="bindings-title">Bindings</h2><div id="bindings" class="scroll"></div></section>
<section aria-labelledby="held-title"><h2 id="held-title">Held syncs</h2><div id="held"></div></section>
<section aria-labelledby="conflicts-title"><h2 id="conflicts-title">Conflicts</h2><div id="conflicts"></div></section>
<section aria-labelledby="changes-title"><h2 id="changes-title">What changed</h2><div id="changes"></div></section>
<section aria-labelledby="journal-title"><h2 id="journal-title">Journal</h2><div id="journal"></div></section>
</main>
<div id="announce" class="visually-hidden" role="status" aria-live="polite"></div>
</body>
</html>
`;
}

/**
 * Headers of every dashboard response: a content security policy that
 * allows only the page's own script, style sheet and requests to its own
 * origin (so injected markup could not run even if it got in), and no
 * framing (so no other page can trick a click on Approve).
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The path the browser asked for (`originalUrl` under Express, which strips
 * the mount path from `req.url`); undefined when it ends with `/`, else that
 * path with a `/` added, for a redirect: the page's relative URLs need it.
 */
export function slashRedirect(req: IncomingMessage): string | undefined {
  const shown = new URL((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/', 'http://localhost');
  return shown.pathname.endsWith('/') ? undefined : `${shown.pathname}/${shown.search}`;
}
