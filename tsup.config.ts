import { defineConfig } from 'tsup';

const entry = {
  index: 'src/index.ts',
  'testing/index': 'src/testing/index.ts',
  // api-live-sync/hoppscotch, api-live-sync/postman and api-live-sync/server: what only some users need.
  hoppscotch: 'src/targets/hoppscotch/public.ts',
  postman: 'src/targets/postman/public.ts',
  // api-live-sync/bruno: the only module that loads the optional `@usebruno/lang`, and only when used.
  bruno: 'src/targets/bruno/public.ts',
  server: 'src/server/index.ts',
  // The AI resolver: the only module that loads the `openai` package, and only when used.
  openai: 'src/conflict/openai.ts',
  // api-live-sync/redis: the only modules that load `ioredis` (and, later, `bullmq`).
  redis: 'src/cluster/index.ts',
};

export default defineConfig([
  {
    // The command line ships as ESM only (`bin`: dist/cli.js).
    entry: { ...entry, cli: 'src/cli/main.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    // The dashboard's browser script and style sheet (createSyncHandler's `dashboard` option) go to dist/dashboard/.
    onSuccess: 'node scripts/build-dashboard.mjs dist/dashboard',
  },
  {
    // p-queue ships ESM only; the CommonJS build bundles it so `require()` works on every Node 20.
    // Split like the ESM build, so every entry shares one copy of each class
    // (`instanceof TargetError` holds for an error thrown by api-live-sync/hoppscotch).
    entry,
    format: ['cjs'],
    splitting: true,
    dts: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    noExternal: ['p-queue', 'p-timeout'],
    // `import.meta.url` (where the dashboard assets are) in the CommonJS build.
    shims: true,
  },
]);
