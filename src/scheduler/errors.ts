/**
 * The errors every scheduler gives for the same mistakes, so the in-process
 * scheduler and any other behind the seam say them the same way.
 *
 * @module
 */
import { BindingError, JobError } from '../errors.js';
import type { ScheduledBinding } from './types.js';

/** `BINDING_EXISTS`: `register` of an id already registered. */
export function bindingExists(id: string): BindingError {
  return new BindingError('BINDING_EXISTS', `A binding with id "${id}" already exists.`, {
    hint: 'Use another id, or remove the existing binding first.',
  });
}

/** `BINDING_NOT_FOUND`: an id no binding has, with the ids there are. */
export function bindingNotFound(id: string, known: Iterable<string>): BindingError {
  return new BindingError('BINDING_NOT_FOUND', `No binding with id "${id}".`, {
    hint: `Known bindings: ${[...known].join(', ') || '(none)'}.`,
    details: { sourceId: id },
  });
}

/** `JOB_NOT_FOUND`: no pending or running job with that id (`finished`: it is known to have ended). */
export function jobNotFound(jobId: string, finished = false): JobError {
  return new JobError('JOB_NOT_FOUND', `No pending or running job with id "${jobId}".`, {
    hint: finished ? 'It finished already; see getSyncStatus().' : 'It may have finished already; see getSyncStatus().',
  });
}

/**
 * Check a binding's dependencies before it is registered: each must be
 * registered already (`DEPENDENCY_MISSING`), and none may lead back to it
 * (`DEPENDENCY_CYCLE`, naming the cycle). `dependsOnOf` gives a registered
 * binding's dependencies, `undefined` for an id not registered.
 */
export function checkDependencies(spec: ScheduledBinding, dependsOnOf: (id: string) => readonly string[] | undefined): void {
  for (const dep of spec.dependsOn) {
    if (dep === spec.id) {
      throw new BindingError('DEPENDENCY_CYCLE', `Binding "${spec.id}" cannot depend on itself.`, {
        hint: 'Remove it from its own `dependsOn`.',
      });
    }
    if (dependsOnOf(dep) === undefined) {
      throw new BindingError('DEPENDENCY_MISSING', `Binding "${spec.id}" depends on "${dep}", which is not registered.`, {
        hint: 'Add the bindings it depends on first.',
        details: { sourceId: spec.id, dependsOn: dep },
      });
    }
  }
  const edges = (id: string): readonly string[] => (id === spec.id ? spec.dependsOn : (dependsOnOf(id) ?? []));
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    const at = visiting.indexOf(id);
    if (at >= 0) return [...visiting.slice(at), id];
    if (done.has(id)) return undefined;
    visiting.push(id);
    for (const next of edges(id)) {
      const found = visit(next);
      if (found) return found;
    }
    visiting.pop();
    done.add(id);
    return undefined;
  };
  const cycle = visit(spec.id);
  if (cycle) {
    throw new BindingError('DEPENDENCY_CYCLE', `Adding "${spec.id}" would create a dependency cycle: ${cycle.join(' → ')}.`, {
      hint: 'Break the cycle: dependencies must form a tree.',
      details: { cycle },
    });
  }
}

/** `DEPENDENCY_MISSING` for `unregister` of a binding others depend on. */
export function neededBy(id: string, dependents: readonly string[]): BindingError {
  return new BindingError('DEPENDENCY_MISSING', `Binding "${id}" is needed by ${dependents.map((d) => `"${d}"`).join(', ')}.`, {
    hint: 'Remove the bindings that depend on it first.',
    details: { sourceId: id, dependents },
  });
}
