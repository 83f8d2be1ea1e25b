/**
 * The lifecycle of a job as a table: which status may follow which, and the
 * event each change emits. Schedulers change a job's status only through
 * {@link jobTransitionEvent} (the in-process one through its single
 * `#transition` method, which commits the status and then emits).
 *
 * @module
 */
import { JobError } from '../errors.js';
import type { JobStatus } from './types.js';

/** Where a job can be: a status, `new` before it was ever queued, or `removed` once taken out of the queue before it ran (its `status` then stays `pending`). */
export type JobState = 'new' | JobStatus | 'removed';

/** The events that report a job's change of status. */
export type JobTransitionEvent = 'job:queued' | 'job:started' | 'job:retrying' | 'job:completed' | 'job:failed' | 'job:removed';

/**
 * Every allowed change of a job's status and the event it emits. A change
 * not listed here is a bug in the scheduler, and {@link jobTransitionEvent}
 * throws `JOB_TRANSITION_INVALID` for it.
 */
export const jobTransitions: Readonly<Record<JobState, Readonly<Partial<Record<Exclude<JobState, 'new'>, JobTransitionEvent>>>>> =
  Object.freeze({
    new: Object.freeze({ pending: 'job:queued' }),
    pending: Object.freeze({ running: 'job:started', removed: 'job:removed' }),
    running: Object.freeze({ completed: 'job:completed', failed: 'job:failed', pending: 'job:retrying' }),
    completed: Object.freeze({}),
    failed: Object.freeze({}),
    removed: Object.freeze({}),
  });

/** The event of the change `from` → `to`; throws `JOB_TRANSITION_INVALID` (a bug in the scheduler) when the table does not allow it. */
export function jobTransitionEvent(from: JobState, to: Exclude<JobState, 'new'>, jobId: string): JobTransitionEvent {
  const event = jobTransitions[from]?.[to];
  if (event === undefined) {
    throw new JobError('JOB_TRANSITION_INVALID', `Job ${jobId} cannot go from "${from}" to "${to}".`, {
      hint: 'This is a bug in the scheduler; please report it with the events that led to it.',
      details: { jobId, from, to },
    });
  }
  return event;
}
