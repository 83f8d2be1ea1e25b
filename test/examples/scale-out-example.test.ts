/** examples/scale-out.ts against a real redis-server: it starts two worker processes. */
import { describe, expect, it } from 'vitest';
import { runExample } from '../../examples/scale-out.js';
import { useRedisServer } from '../support/redis.js';

const redis = useRedisServer();

describe('examples/scale-out.ts', () => {
  it('two worker processes bring every binding to each version, each change applied once', { timeout: 90_000 }, async () => {
    const lines: string[] = [];
    const { applied, pids } = await runExample(redis.current.url, { prefix: 'example-test', log: (line) => lines.push(line) });
    // Two processes, neither of them this one.
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(process.pid);
    expect(lines[1]).toMatch(/^version 1 synced to /);
    expect(lines).toContain('version 2 synced');
    // Four bindings, two versions: eight applied syncs in all, whichever worker ran them.
    expect(applied).toHaveLength(8);
    for (const id of ['orders', 'users', 'billing', 'search']) expect(applied.filter((line) => line.endsWith(` ${id}`))).toHaveLength(2);
  });
});
