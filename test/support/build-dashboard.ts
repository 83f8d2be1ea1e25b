/**
 * Vitest global set-up: build the dashboard's client beside its sources
 * (src/server/dashboard/dashboard.js and .css, ignored by git), where
 * `createSyncHandler(engine, { dashboard: true })` finds it when the tests
 * run from src/. About half a second.
 */
// @ts-expect-error: a plain .mjs script without types
import { buildDashboard } from '../../scripts/build-dashboard.mjs';

export default async function setup(): Promise<void> {
  await (buildDashboard as () => Promise<void>)();
}
