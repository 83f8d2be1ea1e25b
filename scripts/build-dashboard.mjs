/**
 * Bundle the dashboard's client (src/server/dashboard/main.ts and the style
 * sheet it imports) into `dashboard.js` and `dashboard.css`, minified, for
 * browsers, with nothing fetched at run time.
 *
 *   node scripts/build-dashboard.mjs [outDir]
 *
 * `npm run build` writes them to dist/dashboard/ (tsup.config.ts); the test
 * set-up writes them beside the sources, to src/server/dashboard/ (git
 * ignores them there), where the handler finds them when it runs from src/.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsup';

const root = resolve(import.meta.dirname, '..');

/** Build the client into `outDir`. */
export async function buildDashboard(outDir = resolve(root, 'src/server/dashboard')) {
  await build({
    config: false,
    entry: { dashboard: resolve(root, 'src/server/dashboard/main.ts') },
    outDir,
    format: ['iife'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    dts: false,
    clean: false,
    splitting: false,
    silent: true,
    outExtension: () => ({ js: '.js' }),
    tsconfig: resolve(root, 'src/server/dashboard/tsconfig.json'),
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildDashboard(process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
}
