/**
 * The errors every scheduler gives for the same mistakes, so the in-process
 * scheduler and any other behind the seam say them the same way.
 *
 * @module
 */
import { BindingError, JobError } from '../errors.js';

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
