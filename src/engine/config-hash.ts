/**
 * The hash of a binding's configuration, which a scheduler shared by
 * several processes compares between them (`ScheduledBinding.configHash`).
 *
 * @module
 */
import { canonicalHash } from '../json/index.js';
import type { PipelineBinding } from './pipeline.js';
import type { SyncBindingOptions } from './types.js';

/**
 * What two workers must agree on for one binding id: the source's and the
 * target's kind and location, the schedule and the policy. Functions (a
 * resolver, a function source's code) cannot be compared and are left out.
 */
export function bindingConfigHash(binding: PipelineBinding & { options: SyncBindingOptions }): string {
  const { options } = binding;
  return canonicalHash({
    source: { kind: binding.source.kind, location: binding.source.location ?? null },
    target: { kind: binding.target.kind, location: binding.target.location ?? null },
    priority: options.priority ?? 'medium',
    intervalMs: options.intervalMs ?? null,
    dependsOn: options.dependsOn ?? [],
    maxRetries: options.maxRetries ?? null,
    restartGraceMs: options.restartGraceMs ?? null,
    watch: options.watch ?? null,
    policy: binding.policy,
    resolver: binding.resolver === undefined ? null : 'set',
  });
}
