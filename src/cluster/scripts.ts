/**
 * The Lua scripts of the store and the lease. Each runs atomically on the
 * server, and touches only keys of one binding (one hash tag), so they run
 * on Redis Cluster too.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Lua script and its SHA-1, for EVALSHA. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** A script with its SHA-1. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * A store write fenced by a token. KEYS: store hash, epoch. ARGV: token,
 * operation (`set`, `delete` or `drop`), field, value. Returns 0 when it
 * wrote, or the newer epoch that refused the write (nothing changed).
 */
export const FENCED_WRITE = lua(`
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current > tonumber(ARGV[1]) then return redis.call('GET', KEYS[2]) end
if ARGV[2] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
elseif ARGV[2] == 'delete' then
  redis.call('HDEL', KEYS[1], ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return 0
`);

/**
 * Take a lease. KEYS: lease, epoch, and optionally the store hash and the
 * circuit hash. ARGV: owner, TTL in ms, and with the store hash one or more
 * of its fields. Returns the new epoch (the fencing token) as a decimal
 * string, or nil when the lease is held; with the store hash,
 * `{ token, 1 or 0: the circuit hash exists, value or nil per field }`, so a
 * sync's first reads cost no round trip of their own (a closed circuit with
 * no failure has no hash, so a job need not read it). The epoch is the last
 * one plus one, and never less than the server's clock in milliseconds: it
 * keeps growing even when Redis lost the epoch key (a restart without
 * persistence, a failover to a replica that lagged).
 */
export const ACQUIRE = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local epoch = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
if now > epoch then epoch = now end
local token = string.format('%.0f', epoch)
redis.call('SET', KEYS[2], token)
redis.call('SET', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])
if KEYS[3] then
  local circuit = 0
  if KEYS[4] then circuit = redis.call('EXISTS', KEYS[4]) end
  return { token, circuit, unpack(redis.call('HMGET', KEYS[3], unpack(ARGV, 3))) }
end
return token
`);

/** Extend a lease, only while it holds ARGV[1] ("<epoch> <owner>"). KEYS: lease. ARGV: value, TTL in ms. Returns 1 or 0. */
export const RENEW = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** Delete a lease, only while it holds ARGV[1]. KEYS: lease. Returns 1 or 0. */
export const RELEASE = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** The milliseconds a lease has left while it holds ARGV[1], else -1. KEYS: lease. */
export const REMAINING = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PTTL', KEYS[1]) end
return -1
`);

/**
 * Run a script by its SHA-1, sending its source once when the server does
 * not know it yet (NOSCRIPT). With `buffers`, bulk replies come back as
 * Buffers (for store values, which may be binary).
 */
export async function runScript(
  client: Redis | Cluster,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | Buffer | number>,
  buffers = false,
): Promise<unknown> {
  const run = (command: 'evalsha' | 'eval', body: string): Promise<unknown> =>
    buffers ? client.callBuffer(command, body, keys.length, ...keys, ...args) : client.call(command, body, keys.length, ...keys, ...args);
  try {
    return await run('evalsha', script.sha);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return run('eval', script.source);
  }
}
