/**
 * An AI conflict resolver on the OpenAI chat completions API, published as
 * `api-live-sync/openai`. The `openai` package (an optional peer dependency)
 * is loaded only here, and only when no `client` is given.
 *
 * @module
 */
import { ConfigError, ConflictError, describeThrown } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import type { MergeConflict } from '../merge/index.js';
import {
  containsMarker,
  DECISIONS_SCHEMA,
  parseAnswer,
  prepareConflict,
  removesLocalContent,
  systemPrompt,
  type PreparedConflict,
} from './ai-prompt.js';
import { runResolver } from './resolve.js';
import { assertResolver, preferLocal } from './strategies.js';
import type { ConflictContext, ConflictDecision, ConflictResolver } from './types.js';
import { validateDecisions } from './validate.js';

export { isSecretKey, REDACTED, redactionPatterns, redactSecrets, type RedactionPattern } from './redact.js';

/** The request body the resolver sends to `chat.completions.create`. */
export interface ChatRequestBody {
  model: string;
  messages: { role: 'system' | 'user'; content: string }[];
  response_format: { type: 'json_schema'; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } };
  max_completion_tokens?: number;
}

/** The parts of a chat completion the resolver reads. */
export interface ChatCompletionLike {
  choices: readonly { message: { content: string | null; refusal?: string | null } }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/**
 * The slice of a client the resolver uses: an `OpenAI` instance fits, and so
 * does any client of an OpenAI-compatible server with the same method.
 */
export interface OpenAIChatClient {
  chat: {
    completions: {
      create(body: ChatRequestBody, options?: { signal?: AbortSignal }): PromiseLike<ChatCompletionLike>;
    };
  };
}

/** Token use and outcome of one `resolve` call, given to {@link OpenAIResolverOptions.onUsage}. */
export interface OpenAIUsageReport {
  /** The binding whose conflicts were asked about. */
  sourceId: string;
  /** @deprecated The same id as `sourceId` (one name per thing, see docs/concepts.md). Removed in 0.3. */
  bindingId: string;
  jobId: string;
  /** Requests sent (answered or not). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Tokens counted against the budget (reported usage, or our estimate when a response has none). */
  totalTokens: number;
  budgetTokens: number;
  /** Conflicts the model's decision was used for. */
  decidedByModel: number;
  /** Conflicts handed to the fallback. */
  fellBack: number;
  /** Why requests failed or answers were unusable, one line each. */
  problems: string[];
}

/** Options of {@link openAIResolver}. */
export interface OpenAIResolverOptions {
  /** The model, e.g. `gpt-4.1-mini`. Required. */
  model: string;
  /** A ready client; when omitted one is created from `openai` with `apiKey` and `baseURL` and `maxRetries: 0`. */
  client?: OpenAIChatClient;
  /** The API key for the created client. Default: the `OPENAI_API_KEY` environment variable. */
  apiKey?: string;
  /** The base URL for the created client, for OpenAI-compatible servers. Default: the `openai` package's. */
  baseURL?: string;
  /** Most tokens one `resolve` call may spend (prompt + completion, all requests). Default 20 000. */
  budgetTokens?: number;
  /** Most time one `resolve` call may take, in milliseconds, all requests together. Default 30 000. */
  timeoutMs?: number;
  /** Decides every conflict the model does not (errors, budget, invalid or held decisions). Default `preferLocal()`. */
  fallback?: ConflictResolver;
  /** Conflicts per request. Default 20. */
  maxConflictsPerRequest?: number;
  /** A side of a conflict larger than this (characters of JSON) is not sent, only its size. Default 4 000. */
  maxFragmentChars?: number;
  /** Apply model decisions that remove local content (still marked `[review]`) instead of falling back. Default false. */
  allowDeletions?: boolean;
  /** Extra guidance appended to the system prompt, e.g. "descriptions follow the code". */
  instructions?: string;
  /** Called once per `resolve` call with token use and outcome, for cost tracking. */
  onUsage?: (report: OpenAIUsageReport) => void;
  /** The resolver's name, recorded in its decisions. Default `openai`. */
  name?: string;
}

/** Defaults of {@link OpenAIResolverOptions}. */
export const OPENAI_RESOLVER_DEFAULTS = {
  budgetTokens: 20_000,
  timeoutMs: 30_000,
  maxConflictsPerRequest: 20,
  maxFragmentChars: 4_000,
  allowDeletions: false,
} as const;

const MAX_REASON_CHARS = 300;

/**
 * A resolver that asks an OpenAI model to decide conflicts. It sends only the
 * conflicting fragments (path, kind, operation, base/local/remote values),
 * secrets redacted (by key name, and inside every string by
 * {@link redactionPatterns}; a conflict whose path holds a secret is not sent),
 * asks for structured output, validates every decision,
 * and hands whatever it cannot use to `fallback`. API failures (HTTP errors,
 * timeouts, malformed or out-of-schema answers) never throw: their conflicts
 * fall back, and the reason says why. A decision that would remove local
 * content is marked `[review]` and falls back unless `allowDeletions`.
 *
 * @example
 * ```ts
 * import { openAIResolver } from 'api-live-sync/openai';
 * const resolver = openAIResolver({ model: 'gpt-4.1-mini', budgetTokens: 10_000 });
 * ```
 */
export function openAIResolver(options: OpenAIResolverOptions): ConflictResolver {
  const settings = settingsOf(options);
  const name = options.name ?? 'openai';
  const fallback = options.fallback ?? preferLocal();
  let client: Promise<OpenAIChatClient> | undefined = options.client === undefined ? undefined : Promise.resolve(options.client);
  const getClient = (): Promise<OpenAIChatClient> => {
    client ??= createClient(options, settings.timeoutMs).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };

  return {
    name,
    async resolve(conflicts, context) {
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(settings.timeoutMs)]);
      const api = await getClient();
      const report: OpenAIUsageReport = {
        sourceId: context.sourceId,
        bindingId: context.sourceId,
        jobId: context.jobId,
        requests: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        budgetTokens: settings.budgetTokens,
        decidedByModel: 0,
        fellBack: 0,
        problems: [],
      };
      const decided: ConflictDecision[] = [];
      const fallBackWhy = new Map<string, string>();
      const giveUp = (batch: readonly PreparedConflict[], why: string): void => {
        for (const { conflict } of batch) fallBackWhy.set(conflict.path, why);
      };

      const prepared: PreparedConflict[] = [];
      for (const conflict of conflicts) {
        const entry = prepareConflict(conflict, context, settings.maxFragmentChars);
        if (entry.withheld === undefined) prepared.push(entry);
        else fallBackWhy.set(conflict.path, entry.withheld);
      }
      for (let start = 0; start < prepared.length; start += settings.maxConflictsPerRequest) {
        const batch = prepared.slice(start, start + settings.maxConflictsPerRequest);
        if (signal.aborted) {
          giveUp(batch, abortWhy(context, settings.timeoutMs));
          continue;
        }
        const body = requestBody(options.model, options.instructions, batch);
        const estimate = Math.ceil(JSON.stringify(body).length / 4);
        const left = settings.budgetTokens - report.totalTokens;
        if (estimate >= left) {
          giveUp(batch, `token budget: ${left} of ${settings.budgetTokens} tokens left, the request needs about ${estimate}`);
          continue;
        }
        body.max_completion_tokens = left - estimate;
        report.requests += 1;
        let completion: ChatCompletionLike;
        try {
          completion = await api.chat.completions.create(body, { signal });
        } catch (error) {
          const why = signal.aborted ? abortWhy(context, settings.timeoutMs) : apiErrorWhy(error);
          report.totalTokens += estimate;
          report.problems.push(why);
          giveUp(batch, why);
          continue;
        }
        const usage = completion.usage;
        report.promptTokens += usage?.prompt_tokens ?? 0;
        report.completionTokens += usage?.completion_tokens ?? 0;
        const message = completion.choices[0]?.message;
        report.totalTokens += usage?.total_tokens ?? estimate + Math.ceil((message?.content?.length ?? 0) / 4);
        if (typeof message?.refusal === 'string' && message.refusal !== '') {
          const why = `the model refused: ${message.refusal.slice(0, 120)}`;
          report.problems.push(why);
          giveUp(batch, why);
          continue;
        }
        const answer = parseAnswer(message?.content);
        if (!answer.ok) {
          report.problems.push(answer.problem);
          giveUp(batch, answer.problem);
          continue;
        }
        const { valid, rejected } = validateDecisions(
          batch.map(({ conflict }) => conflict),
          answer.decisions,
          name,
        );
        for (const item of rejected) report.problems.push(`rejected a decision: ${item.reason}`);
        const byPath = new Map(batch.map((entry) => [entry.conflict.path, entry]));
        for (const decision of valid) {
          // validateDecisions kept only decisions for this batch's conflicts, each once.
          const entry = byPath.get(decision.path) as PreparedConflict;
          const verdict = judge(decision, entry, settings.allowDeletions);
          if (verdict.use) {
            decided.push({ ...decision, reason: clip(`${verdict.prefix}${name} (${options.model}): ${decision.reason}`), resolver: name });
            byPath.delete(decision.path);
          } else {
            fallBackWhy.set(decision.path, verdict.why);
            byPath.delete(decision.path);
          }
        }
        for (const entry of byPath.values()) {
          // Stryker disable next-line OptionalChaining: parseAnswer lets only objects through as decisions
          const reason = rejected.find((item) => (item.decision as { path?: unknown } | null)?.path === entry.conflict.path)?.reason;
          fallBackWhy.set(
            entry.conflict.path,
            reason === undefined ? 'the model gave no decision for it' : `the model's decision was unusable: ${reason}`,
          );
        }
      }

      const rest = conflicts.filter((conflict) => fallBackWhy.has(conflict.path));
      const fallen = await fallBackWith(fallback, rest, context, fallBackWhy, name);
      report.decidedByModel = decided.length;
      report.fellBack = rest.length;
      options.onUsage?.(report);
      return [...decided, ...fallen];
    },
  };
}

interface Settings {
  budgetTokens: number;
  timeoutMs: number;
  maxConflictsPerRequest: number;
  maxFragmentChars: number;
  allowDeletions: boolean;
}

const OPENAI_RESOLVER_KEYS = optionKeys<OpenAIResolverOptions>()([
  'model',
  'client',
  'apiKey',
  'baseURL',
  'budgetTokens',
  'timeoutMs',
  'fallback',
  'maxConflictsPerRequest',
  'maxFragmentChars',
  'allowDeletions',
  'instructions',
  'onUsage',
  'name',
]);

function settingsOf(options: OpenAIResolverOptions): Settings {
  checkOptions('openAIResolver() options', options, OPENAI_RESOLVER_KEYS);
  if (typeof options.model !== 'string' || options.model.trim() === '') {
    throw new ConfigError(
      `Expected openAIResolver() \`model\` to be a model name, got ${JSON.stringify(options.model) ?? typeof options.model}.`,
      { hint: "Pass the model to use, e.g. { model: 'gpt-4.1-mini' }." },
    );
  }
  const positive = (key: 'budgetTokens' | 'timeoutMs' | 'maxConflictsPerRequest' | 'maxFragmentChars'): number => {
    const value = options[key] ?? OPENAI_RESOLVER_DEFAULTS[key];
    if (!Number.isInteger(value) || value <= 0) {
      throw new ConfigError(
        `Expected openAIResolver() \`${key}\` to be a whole number from 1 and up, got ${String(value)} (${typeof value}).`,
        {
          hint: `Leave it out for the default (${OPENAI_RESOLVER_DEFAULTS[key]}).`,
        },
      );
    }
    return value;
  };
  if (options.fallback !== undefined) assertResolver(options.fallback, 'openAIResolver() `fallback`');
  if (options.client === undefined && (options.apiKey ?? process.env['OPENAI_API_KEY'] ?? '') === '') {
    throw new ConfigError('openAIResolver() got neither `client` nor `apiKey`, and OPENAI_API_KEY is not set.', {
      hint: 'Set OPENAI_API_KEY, pass { apiKey }, or pass a ready { client }.',
    });
  }
  return {
    budgetTokens: positive('budgetTokens'),
    timeoutMs: positive('timeoutMs'),
    maxConflictsPerRequest: positive('maxConflictsPerRequest'),
    maxFragmentChars: positive('maxFragmentChars'),
    allowDeletions: options.allowDeletions ?? OPENAI_RESOLVER_DEFAULTS.allowDeletions,
  };
}

async function createClient(options: OpenAIResolverOptions, timeoutMs: number): Promise<OpenAIChatClient> {
  let OpenAI: (typeof import('openai'))['default'];
  try {
    OpenAI = (await import('openai')).default;
  } catch (error) {
    throw new ConflictError('RESOLVER_FAILED', `openAIResolver() could not load the \`openai\` package: ${describeThrown(error)}`, {
      cause: error,
      hint: 'Install it next to api-live-sync (npm install openai), or pass a ready `client`.',
    });
  }
  try {
    return new OpenAI({
      maxRetries: 0,
      timeout: timeoutMs,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    });
  } catch (error) {
    throw new ConflictError('RESOLVER_FAILED', `openAIResolver() could not create an OpenAI client: ${describeThrown(error)}`, {
      cause: error,
      hint: 'Check `apiKey` / OPENAI_API_KEY and `baseURL`.',
    });
  }
}

function requestBody(model: string, instructions: string | undefined, batch: readonly PreparedConflict[]): ChatRequestBody {
  return {
    model,
    messages: [
      { role: 'system', content: systemPrompt(instructions) },
      { role: 'user', content: JSON.stringify({ conflicts: batch.map(({ prompt }) => prompt) }) },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'conflict_decisions', strict: true, schema: DECISIONS_SCHEMA } },
  };
}

/** Whether to use a valid model decision, and if not, why. */
function judge(
  decision: ConflictDecision,
  entry: PreparedConflict,
  allowDeletions: boolean,
): { use: true; prefix: string } | { use: false; why: string } {
  const { conflict, prompt } = entry;
  if (decision.take === 'value' && (prompt.hidden || containsMarker(decision.value))) {
    return {
      use: false,
      why: 'the model wrote a value for a conflict whose content was hidden from it (redacted or omitted); only local or remote may be taken there',
    };
  }
  if (decision.take !== 'local' && removesLocalContent(conflict.local, decision.take === 'value' ? decision.value : conflict.remote)) {
    if (allowDeletions) return { use: true, prefix: '[review] removes local content; ' };
    return {
      use: false,
      why: `[review] the model chose ${decision.take}, which removes local content (${clip(decision.reason, 120)}); held back`,
    };
  }
  return { use: true, prefix: '' };
}

async function fallBackWith(
  fallback: ConflictResolver,
  conflicts: readonly MergeConflict[],
  context: ConflictContext,
  why: ReadonlyMap<string, string>,
  name: string,
): Promise<ConflictDecision[]> {
  if (conflicts.length === 0) return [];
  const outcome = await runResolver(fallback, conflicts, context);
  return outcome.decisions.map((decision) => {
    // Stryker disable next-line StringLiteral: every conflict that falls back has its cause recorded
    const cause = why.get(decision.path) ?? 'not decided by the model';
    const text = cause.startsWith('[review]')
      ? `${cause}; ${name} fell back: ${decision.reason}`
      : `${name} fell back (${cause}): ${decision.reason}`;
    return { ...decision, reason: clip(text, 600) };
  });
}

function abortWhy(context: ConflictContext, timeoutMs: number): string {
  return context.signal.aborted ? 'the job was cancelled' : `timed out after ${timeoutMs} ms`;
}

function apiErrorWhy(error: unknown): string {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  if (typeof status === 'number') return `the API answered HTTP ${status}`;
  return `the request failed: ${clip(describeThrown(error), 160)}`;
}

function clip(text: string, max = MAX_REASON_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
