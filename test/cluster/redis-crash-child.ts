/** Started by redis-server.test.ts: starts a redis-server, prints its pid and port, then waits to be killed. */
import { startRedisServer } from '../support/redis.js';

const server = await startRedisServer();
process.stdout.write(`${JSON.stringify({ pid: server.pid, port: server.port })}\n`);
setInterval(() => undefined, 60_000);
