/**
 * Mutation runs (`npm run mutate`, which sets MUTATE_MODULE; see
 * CONTRIBUTING.md) run each test once per mutant on instrumented code, some
 * thirty times slower than usual: the heaviest tests do less there.
 */

/** True in a test process of a mutation run. */
export const MUTATION_RUN = process.env.MUTATE_MODULE !== undefined;

/** The number of cases of a property test: `n`, or a tenth of it (at least 20) in a mutation run. */
export function propertyRuns(n: number): number {
  return MUTATION_RUN ? Math.max(20, Math.round(n / 10)) : n;
}
