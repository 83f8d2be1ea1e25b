// @ts-check
/**
 * The vitest configuration of a mutation run (stryker.config.mjs): the
 * project's own, with only the tests of the module named by `MUTATE_MODULE`.
 * Tests are chosen here rather than with Stryker's `testFiles`, which makes
 * static mutants (code that runs when a module loads) activate too late and
 * survive falsely (stryker-mutator/stryker-js#6144).
 */
import { defineConfig } from 'vitest/config';
import { modules } from './stryker.config.mjs';
import base from './vitest.config.ts';

const name = process.env.MUTATE_MODULE;
const include = name === undefined ? Object.values(modules).flatMap((module) => module.testFiles) : (modules[name]?.testFiles ?? []);

export default defineConfig({ ...base, test: { ...base.test, include } });
