import { patched } from '@temporalio/workflow';

/**
 * Patch id recorded first thing in every session run started since it: such a run has every patch
 * a session asks for and asks for none of them later.
 *
 * A patch asked for in the middle of a run is not safe after a local activity. When a query arrives
 * with the workflow task that starts a local activity and the activity finishes before the query's
 * answer, the SDK completes that task with the activity's result marker and forces a new task; the
 * code after the activity runs in the new task. A replay resolves the activity from its marker in the
 * first task and runs that code there, where a patch marker of the new task is not known yet:
 * `patched()` answers false and the replay fails (`Non-deprecated patch marker encountered`). Runs
 * started before this patch keep asking where they asked (they replay as recorded).
 */
export const SESSION_BASELINE_PATCH = 'session-baseline';

/** Whether this run has a patch (a change recorded into its history when it first ran). */
export type HasPatch = (patchId: string) => boolean;

/** The patches of one session run, settled at its start for runs that recorded {@link SESSION_BASELINE_PATCH}. */
export class RunPatches {
  /** Whether the run recorded the baseline (it then has every patch). Ask this first thing in a run. */
  readonly baseline = patched(SESSION_BASELINE_PATCH);

  /** Whether the run has `patchId`: always since the baseline, else as `patched()` answers where it is asked. */
  readonly has: HasPatch = (patchId) => this.baseline || patched(patchId);
}
