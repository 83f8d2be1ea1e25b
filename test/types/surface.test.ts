/**
 * The public surface, pinned: every name each entry point of the package
 * exports, values and types, as a sorted list. A name added to or removed
 * from an entry fails here until the list below says so on purpose (and the
 * CHANGELOG says so to users). Values are read from the module at run time;
 * types from the TypeScript checker's view of the entry file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Each subpath of package.json `exports` and the source file tsup builds it from. */
const ENTRIES: Record<string, string> = {
  '.': 'src/index.ts',
  './hoppscotch': 'src/targets/hoppscotch/public.ts',
  './postman': 'src/targets/postman/public.ts',
  './bruno': 'src/targets/bruno/public.ts',
  './server': 'src/server/index.ts',
  './testing': 'src/testing/index.ts',
  './openai': 'src/conflict/openai.ts',
  './redis': 'src/cluster/index.ts',
};

interface Surface {
  values: string[];
  types: string[];
}

const SURFACE: Record<string, Surface> = {
  '.': {
    values: [
      'BindingError',
      'ConfigError',
      'ConflictError',
      'DISCOVER_DEFAULTS',
      'FRAMEWORK_PATHS',
      'FileStore',
      'HTTP_SOURCE_DEFAULTS',
      'InProcessScheduler',
      'JobError',
      'ListenerError',
      'LocalFile',
      'MemorySource',
      'MemoryStore',
      'MemoryTarget',
      'SourceError',
      'SpecError',
      'StoreError',
      'SyncEngine',
      'SyncError',
      'TargetError',
      'applyDecisions',
      'assertBindingId',
      'chain',
      'compositeSource',
      'defaultEngineConfig',
      'defaultSyncPolicy',
      'diffSpecs',
      'discoverSpec',
      'errorFamilies',
      'fencedFileWrite',
      'fileSource',
      'functionSource',
      'httpSource',
      'isJsonValue',
      'isSyncError',
      'isValidBindingId',
      'jsonProblem',
      'listRules',
      'loadSpec',
      'manual',
      'merge3',
      'openApiFileTarget',
      'openApiIdentityRules',
      'openRegularFile',
      'parseRetryAfter',
      'planToMarkdown',
      'preferLocal',
      'preferRemote',
      'readLimited',
      'reconcileOpenApiDocument',
      'removedUpstream',
      'resolveConflicts',
      'rules',
      'runResolver',
      'syncEngineEventNames',
      'syncErrorCodes',
      'systemClock',
      'toPrometheusText',
      'validateDecisions',
      'writeFileAtomic',
    ],
    types: [
      'BaseRecord',
      'BindingDecisions',
      'BindingRecords',
      'BindingScheduleView',
      'BindingStatus',
      'ChangeLevel',
      'CircuitBreakerPolicy',
      'CircuitState',
      'Clock',
      'CompositeMember',
      'CompositeSourceOptions',
      'ConflictAnswer',
      'ConflictContext',
      'ConflictDecision',
      'ConflictKind',
      'ConflictResolver',
      'DecisionValidation',
      'DecisionsFile',
      'DiffOptions',
      'DiscoverOptions',
      'DiscoveredSpec',
      'DocumentResult',
      'EngineState',
      'EnqueueOptions',
      'ErrorFamily',
      'EventBase',
      'FamilyCode',
      'FetchValidators',
      'FileFence',
      'FileSourceOptions',
      'FileStoreOptions',
      'FrameworkPath',
      'FunctionSourceOptions',
      'FunctionSourceResult',
      'HeldReason',
      'HeldSync',
      'HttpAuth',
      'HttpSource',
      'HttpSourceOptions',
      'IdentityRule',
      'JobEventBase',
      'JobPriority',
      'JobRemovalReason',
      'JobStatus',
      'JobTrigger',
      'JournalEntry',
      'JsonPatchOperation',
      'KeyedEntries',
      'LoadOptions',
      'LoadedSpec',
      'LocalFileWriteReport',
      'ManualOptions',
      'MemoryTargetOptions',
      'MergeConflict',
      'MergeOptions',
      'MergeResult',
      'MergeSides',
      'NotModifiedResult',
      'OpenApiDocument',
      'OpenApiFileTargetOptions',
      'OpenApiRemovedMark',
      'OpenRegularFileOptions',
      'PendingDecision',
      'PreparedMerge',
      'RawResult',
      'ReadInfo',
      'ReconcileInfo',
      'RegularFileOpening',
      'RejectedDecision',
      'RemovalAction',
      'RemovalPolicy',
      'RemovalSides',
      'RemovedEntry',
      'ResolveOutcome',
      'RetryPolicy',
      'RollbackRefusal',
      'Rule',
      'RuleInfo',
      'RuleMatch',
      'RulesOptions',
      'RunOptions',
      'RunResult',
      'ScheduledBinding',
      'Scheduler',
      'SchedulerConfig',
      'SchedulerContext',
      'SchedulerEventBase',
      'SchedulerEvents',
      'SchedulerFactory',
      'SchedulerHooks',
      'SerializedSyncError',
      'SourceFetchContext',
      'SourceFetchResult',
      'SpecChange',
      'SpecSource',
      'SpecVersion',
      'SyncBindingOptions',
      'SyncCounters',
      'SyncEngineConfig',
      'SyncEngineConfigUpdate',
      'SyncEngineEventName',
      'SyncEngineEvents',
      'SyncEngineListener',
      'SyncEngineMetrics',
      'SyncEngineOptions',
      'SyncErrorCode',
      'SyncErrorOptions',
      'SyncFence',
      'SyncJob',
      'SyncOutcome',
      'SyncPlan',
      'SyncPolicy',
      'SyncResult',
      'SyncStatus',
      'SyncStore',
      'SyncTarget',
      'TargetContext',
      'TargetWriteReport',
      'TimerHandle',
    ],
  },
  './hoppscotch': {
    values: [
      'HOPP_COLLECTION_VERSION',
      'HOPP_REQUEST_VERSION',
      'denormaliseCollection',
      'hoppscotchTarget',
      'hoppscotchTargetIdentityRules',
      'normaliseCollection',
      'parseCollection',
      'parseCollections',
      'readCollectionFile',
      'reconcileCollection',
      'renderCollection',
    ],
    types: [
      'DenormalisedCollection',
      'HoppAuth',
      'HoppBody',
      'HoppCollection',
      'HoppCollectionV11',
      'HoppCollectionV12',
      'HoppCollectionVariable',
      'HoppFormField',
      'HoppIdentityRecord',
      'HoppKeyValue',
      'HoppOAuth2Grant',
      'HoppOriginalRequest',
      'HoppRequest',
      'HoppRequestVariable',
      'HoppResponse',
      'HoppscotchTargetOptions',
      'IdentityHints',
      'NormalisedCollection',
      'NormalisedFolder',
      'NormalisedRequest',
      'ParsedCollection',
      'RenderOptions',
      'RenderedCollection',
    ],
  },
  './postman': {
    values: ['POSTMAN_SCHEMA_URL', 'parsePostmanCollection', 'postmanTarget', 'readPostmanCollectionFile', 'renderPostmanCollection'],
    types: [
      'OperationFilter',
      'OperationMatch',
      'PostmanAuth',
      'PostmanAuthAttribute',
      'PostmanBody',
      'PostmanCollection',
      'PostmanDescription',
      'PostmanEvent',
      'PostmanFolder',
      'PostmanFormField',
      'PostmanInfo',
      'PostmanItem',
      'PostmanKeyValue',
      'PostmanRenderOptions',
      'PostmanRequest',
      'PostmanResponse',
      'PostmanScript',
      'PostmanTargetOptions',
      'PostmanUrl',
      'PostmanVariable',
    ],
  },
  './bruno': {
    values: ['BRUNO_DEFAULT_ENVIRONMENT', 'BRUNO_IDENTITY_RECORD', 'brunoTarget', 'readBrunoFolder', 'renderBrunoTree'],
    types: [
      'BruEnvironmentFile',
      'BruFolderFile',
      'BruKeyValue',
      'BruParam',
      'BruRequestFile',
      'BruVar',
      'BrunoConfig',
      'BrunoRenderOptions',
      'BrunoTargetOptions',
      'BrunoTree',
      'BrunoTreeFolder',
      'BrunoTreeRequest',
    ],
  },
  './server': {
    values: [
      'PROMETHEUS_CONTENT_TYPE',
      'WEBHOOK_DELIVERY_HEADER',
      'WEBHOOK_EVENT_HEADER',
      'WEBHOOK_SIGNATURE_HEADER',
      'bearerAuth',
      'createSyncHandler',
      'httpStatusForCode',
      'signWebhookBody',
      'verifyWebhookSignature',
      'webhookNotifier',
    ],
    types: [
      'ChangelogResponse',
      'ErrorResponseBody',
      'NextFunction',
      'ServerErrorCode',
      'SyncEventSource',
      'SyncHandler',
      'SyncHandlerDashboardOptions',
      'SyncHandlerEngine',
      'SyncHandlerOptions',
      'WebhookFailure',
      'WebhookNotifier',
      'WebhookNotifierOptions',
      'WebhookPayload',
      'WebhookStats',
    ],
  },
  './testing': {
    values: ['EventRecorder', 'ManualClock', 'MemorySource', 'MemoryStore', 'MemoryTarget', 'createConflictContext', 'flushPromises'],
    types: ['EventSourceLike', 'MemoryTargetOptions', 'RecordedEvent'],
  },
  './openai': {
    values: ['OPENAI_RESOLVER_DEFAULTS', 'REDACTED', 'isSecretKey', 'openAIResolver', 'redactSecrets', 'redactionPatterns'],
    types: ['ChatCompletionLike', 'ChatRequestBody', 'OpenAIChatClient', 'OpenAIResolverOptions', 'OpenAIUsageReport', 'RedactionPattern'],
  },
  './redis': {
    values: [
      'ClusterView',
      'RedisStore',
      'acquireLease',
      'bullmqScheduler',
      'confirmLease',
      'readClusterStatus',
      'readLease',
      'releaseLease',
      'renewLease',
    ],
    types: [
      'AcquireLeaseOptions',
      'BullmqSchedulerOptions',
      'ClusterBindingStatus',
      'ClusterEvent',
      'ClusterListener',
      'ClusterMetrics',
      'ClusterStatus',
      'ClusterStatusOptions',
      'ClusterViewOptions',
      'Lease',
      'LeaseState',
      'LeaseToken',
      'RedisConnection',
      'RedisStoreOptions',
      'WorkerMetrics',
    ],
  },
};

/** Exported names of an entry file, split into values and type-only names, by the compiler. */
function compilerSurface(program: ts.Program, file: string): Surface {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(resolve(root, file));
  if (!source) throw new Error(`${file} is not part of the program`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} is not a module`);
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.getName());
  }
  return { values: values.sort(), types: types.sort() };
}

describe('the public surface', () => {
  const program = ts.createProgram(
    Object.values(ENTRIES).map((file) => resolve(root, file)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    },
  );

  it('pins one list per subpath of package.json exports', () => {
    const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
    expect(subpaths.sort()).toEqual(Object.keys(ENTRIES).sort());
    expect(Object.keys(SURFACE).sort()).toEqual(Object.keys(ENTRIES).sort());
  });

  for (const [subpath, file] of Object.entries(ENTRIES)) {
    it(`${subpath}: exports exactly the pinned values at run time`, async () => {
      const module = (await import(resolve(root, file))) as Record<string, unknown>;
      expect(Object.keys(module).sort()).toEqual(SURFACE[subpath]!.values);
    });

    it(`${subpath}: exports exactly the pinned values and types to the compiler`, () => {
      expect(compilerSurface(program, file)).toEqual(SURFACE[subpath]);
    });
  }

  it('has no `export *` in an entry file', () => {
    for (const file of Object.values(ENTRIES)) expect(readFileSync(resolve(root, file), 'utf8'), file).not.toMatch(/^export\s+\*/m);
  });
});
