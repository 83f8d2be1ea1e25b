// @ts-check
/**
 * Mutation testing with Stryker (`npm run mutate`, see CONTRIBUTING.md).
 *
 * The scope is split into modules; each module's mutants run only against
 * that module's tests, and within them (coverage analysis `perTest`) only
 * against the tests that execute the mutant. `MUTATE_MODULE=<name>` selects
 * one module; scripts/mutate.mjs runs them one after another and prints the
 * score of each.
 */

/** @type {Record<string, { mutate: string[]; testFiles: string[] }>} */
export const modules = {
  merge: {
    // The three-way merge and the JSON kernel it stands on (src/json: frozen trees, equality, patches, pointers).
    mutate: ['src/merge/**/*.ts', 'src/json/{equal,freeze,patch,pointer}.ts'],
    // github.test.ts merges the real GitHub spec: minutes per mutant once instrumented; the laws and unit tests cover the same code.
    testFiles: ['test/merge/{laws,merge3,rules}.test.ts', 'test/json/{equal,patch,pointer,share}.test.ts', 'test/conflict/apply.test.ts'],
  },
  conflict: {
    mutate: ['src/conflict/**/*.ts'],
    testFiles: ['test/conflict/*.test.ts'],
  },
  'hoppscotch-identity': {
    mutate: ['src/targets/hoppscotch/{identity,normalise,match}.ts'],
    testFiles: [
      'test/targets/hoppscotch/{identity,identity-property,match,normalise}.test.ts',
      'test/scenarios/hoppscotch-{customisations,identity}.test.ts',
    ],
  },
  scheduler: {
    mutate: ['src/scheduler/backoff.ts', 'src/scheduler/circuit-breaker.ts'],
    testFiles: ['test/scheduler/*.test.ts'],
  },
};

const name = process.env.MUTATE_MODULE;
if (name !== undefined && !Object.hasOwn(modules, name)) {
  throw new Error(`Expected MUTATE_MODULE to be one of ${Object.keys(modules).join(', ')}, got "${name}".`);
}
const selected = name === undefined ? Object.values(modules) : [modules[name]];
const reports = `reports/mutation/${name ?? 'all'}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The tests of the selected modules: see vitest.mutate.config.mjs.
  vitest: { configFile: 'vitest.mutate.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  mutate: selected.flatMap((module) => module.mutate),
  // Only what the tests above need is copied into the sandbox.
  ignorePatterns: ['/.tools', '/dist', '/docs', '/bench', '/examples', '/coverage', '/test-artifacts', '/reports', '*.tgz'],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  clearTextReporter: { allowEmojis: false, logTests: false, reportMutants: false },
  thresholds: { high: 95, low: 90, break: null },
  concurrency: 2,
  timeoutMS: 10_000,
};
