import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The package's own names (`api-live-sync`, `api-live-sync/testing`, …) as
 * examples and docs import them, mapped to the sources by tsconfig.json
 * `paths`: the one place that lists them (tsc, tsx and the docs test read it too).
 */
const paths = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  }
).compilerOptions.paths;
const alias = Object.entries(paths).map(([name, [path]]) => ({
  find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`),
  replacement: resolve(import.meta.dirname, path!),
}));

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the dashboard client that createSyncHandler({ dashboard: true }) serves from src/.
    globalSetup: ['test/support/build-dashboard.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
