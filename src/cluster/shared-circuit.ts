/**
 * The circuit breaker of a binding shared by every worker of a deployment,
 * with the binding's restart grace period: one hash per binding,
 * `<prefix>:{<binding id>}:circuit` (fields `state`, `failures`, `openedAt`,
 * `restartSince`, `restartRetries`), changed only by the Lua scripts below,
 * each atomic on the server and timed by the server's clock (`TIME`), so
 * workers whose clocks differ agree on when a cool-down or a grace period ends.
 *
 * The semantics are the in-process scheduler's (src/scheduler/circuit-breaker.ts
 * and its restart grace): `failureThreshold` consecutive failed attempts,
 * wherever they ran, open the circuit; after `cooldownMs` it half-opens
 * (attempts may run again); a success closes it and resets the count; a
 * failure while half-open opens it again. A failure marked `restarting`
 * within `restartGraceMs` of the first such failure since the last success
 * is waited out: not counted, retried on the quick restart schedule.
 *
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { CircuitBreakerPolicy, CircuitState, CircuitTransition } from '../scheduler/index.js';
import { bindingKeys } from './keys.js';
import { lua, runScript } from './scripts.js';

/** What a script finds (and leaves) in a binding's circuit hash. */
export interface CircuitReading {
  /** The state after the script. */
  readonly state: CircuitState;
  /** Consecutive failed attempts, across workers. */
  readonly failures: number;
  /** When an open circuit half-opens, server milliseconds; `undefined` unless open. */
  readonly halfOpenAt: number | undefined;
  /** The server's clock when the script ran, milliseconds. */
  readonly now: number;
  /** The restart being waited out since the last success: when it began and its quick retries so far. */
  readonly restart: { readonly since: number; readonly retries: number } | undefined;
  /** The change this script made, which its caller reports as an event. */
  readonly transition: CircuitTransition;
  /** This failure began a restart stretch (its caller emits `source:restarting`). */
  readonly restartStarted: boolean;
  /** This failure is waited out (a restart within its grace period): not counted, retried quickly. */
  readonly waitOut: boolean;
}

/** Every script returns: state, failures, openedAt, now, restartSince, transition, restartStarted, restartRetries, waitOut. */
const PROLOGUE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'state', 'failures', 'openedAt', 'restartSince', 'restartRetries')
local state = v[1] or 'closed'
local failures = tonumber(v[2] or '0')
local openedAt = tonumber(v[3] or '0')
local restartSince = v[4]
local restartRetries = tonumber(v[5] or '0')
local function reply(transition, started, waitOut)
  return { state, tostring(failures), string.format('%.0f', openedAt), string.format('%.0f', now), restartSince or '',
    transition, started, tostring(restartRetries), waitOut }
end
`;

/** Read the circuit; an open one whose cool-down (ARGV[1]) passed half-opens. KEYS: circuit. */
const GATE = lua(`${PROLOGUE}
if state == 'open' and now >= openedAt + tonumber(ARGV[1]) then
  state = 'half-open'
  redis.call('HSET', KEYS[1], 'state', state)
  return reply('half-opened', '', '')
end
return reply('', '', '')
`);

/**
 * Record a failed attempt. KEYS: circuit. ARGV: failureThreshold, cooldownMs,
 * restarting (1 or 0), restartGraceMs.
 */
const FAILURE = lua(`${PROLOGUE}
if state == 'open' and now >= openedAt + tonumber(ARGV[2]) then state = 'half-open' end
local started = ''
if ARGV[3] == '1' and tonumber(ARGV[4]) > 0 then
  if restartSince == false or restartSince == nil then
    restartSince = string.format('%.0f', now)
    restartRetries = 0
    started = '1'
    redis.call('HSET', KEYS[1], 'restartSince', restartSince)
  end
  if now - tonumber(restartSince) < tonumber(ARGV[4]) then
    restartRetries = redis.call('HINCRBY', KEYS[1], 'restartRetries', 1)
    redis.call('HSET', KEYS[1], 'state', state)
    return reply('', started, '1')
  end
end
failures = failures + 1
local transition = ''
local threshold = tonumber(ARGV[1])
if threshold > 0 and (state == 'half-open' or (state == 'closed' and failures >= threshold)) then
  state = 'open'
  openedAt = now
  transition = 'opened'
end
redis.call('HSET', KEYS[1], 'state', state, 'failures', failures, 'openedAt', string.format('%.0f', openedAt))
return reply(transition, started, '')
`);

/** Record a successful attempt: closed, no failures, no restart. KEYS: circuit. Writes nothing when that is already so. */
const SUCCESS = lua(`${PROLOGUE}
if state == 'closed' and failures == 0 and not restartSince then return reply('', '', '') end
local transition = ''
if state ~= 'closed' then transition = 'closed' end
state = 'closed'
failures = 0
openedAt = 0
restartSince = nil
restartRetries = 0
redis.call('DEL', KEYS[1])
return reply(transition, '', '')
`);

/** The shared circuits of one deployment (one key prefix) through one client. */
export class SharedCircuit {
  readonly #client: Redis | Cluster;
  readonly #prefix: string;

  /** Circuits under `prefix`, read and changed through `client`. */
  constructor(client: Redis | Cluster, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  /** The binding's circuit now; an open one whose cool-down passed becomes half-open (`transition` says so, once across workers). */
  async read(bindingId: string, policy: CircuitBreakerPolicy): Promise<CircuitReading> {
    return this.#run(GATE, bindingId, [policy.cooldownMs], policy);
  }

  /** Record a failed attempt; `restarting` failures within `restartGraceMs` are waited out instead of counted. */
  async failure(
    bindingId: string,
    policy: CircuitBreakerPolicy,
    restart: { restarting: boolean; graceMs: number },
  ): Promise<CircuitReading> {
    return this.#run(
      FAILURE,
      bindingId,
      [policy.failureThreshold, policy.cooldownMs, restart.restarting ? 1 : 0, Math.max(0, restart.graceMs)],
      policy,
    );
  }

  /** Record a successful attempt. */
  async success(bindingId: string, policy: CircuitBreakerPolicy): Promise<CircuitReading> {
    return this.#run(SUCCESS, bindingId, [], policy);
  }

  async #run(
    script: ReturnType<typeof lua>,
    bindingId: string,
    args: ReadonlyArray<number>,
    policy: CircuitBreakerPolicy,
  ): Promise<CircuitReading> {
    const reply = (await runScript(this.#client, script, [bindingKeys(this.#prefix, bindingId).circuit], args)) as string[];
    const [state, failures, openedAt, now, restartSince, transition, started, restartRetries, waitOut] = reply;
    return {
      state: state as CircuitState,
      failures: Number(failures),
      halfOpenAt: state === 'open' ? Number(openedAt) + policy.cooldownMs : undefined,
      now: Number(now),
      restart: restartSince ? { since: Number(restartSince), retries: Number(restartRetries) } : undefined,
      transition: transition === '' ? undefined : (transition as CircuitTransition),
      restartStarted: started === '1',
      waitOut: waitOut === '1',
    };
  }
}
