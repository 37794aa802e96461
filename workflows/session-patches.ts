import { patched } from '@temporalio/workflow';

/**
 * Patch id recorded first thing in every session run started since it: such a run has every patch
 * in {@link IN_BASELINE} and asks for none of them later.
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

/** The patches a session asked for mid-run before the baseline; a run that recorded the baseline has them all. */
const IN_BASELINE: ReadonlySet<string> = new Set([
  'agent-time',
  'status-memo',
  'judge-usage',
  'verified-decisions',
  'keys-on-demand',
  'local-bookkeeping',
  'information-flow',
  'tenant-bound-keys',
  'trace-by-reference',
  'record-session-end',
  'guardrails-final-answer',
]);

/**
 * Patches of changes made since the baseline, oldest first: each is asked at the start of every run
 * that recorded the baseline, never later. A change to session code adds its id here and asks
 * `s.patches.has(id)` where it needs it.
 */
const AT_START: readonly string[] = [];

/** Whether this run has a patch (a change recorded into its history when it first ran). */
export type HasPatch = (patchId: string) => boolean;

/** The patches of one session run, settled at its start for runs that recorded {@link SESSION_BASELINE_PATCH}. */
export class RunPatches {
  /** Whether the run recorded the baseline (it then has every patch of {@link IN_BASELINE}). Ask this first thing in a run. */
  readonly baseline = patched(SESSION_BASELINE_PATCH);
  /** The patches of {@link AT_START} the run recorded at its start. */
  private readonly sinceBaseline: ReadonlySet<string> = new Set(this.baseline ? AT_START.filter((id) => patched(id)) : []);

  /**
   * Whether the run has `patchId`. A patch of the baseline: always since the baseline, else as
   * `patched()` answers where it is asked (as recorded). A later one: as recorded at the run's start.
   * Any other id is a bug in session code (it would ask `patched()` mid-run) and fails the task.
   */
  readonly has: HasPatch = (patchId) => {
    if (IN_BASELINE.has(patchId)) return this.baseline || patched(patchId);
    if (AT_START.includes(patchId)) return this.sinceBaseline.has(patchId);
    throw new Error(`patch "${patchId}" is neither in the session baseline nor asked at the run's start (workflows/session-patches.ts)`);
  };
}
