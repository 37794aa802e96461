import { z } from 'zod';
import { sha256Hex } from '../intent';
import { lazySchema } from '../lazy-schema';

/**
 * Which finished sessions the online evaluation judges: a deterministic, stratified sample. Pure:
 * the same candidates and options always give the same sample, so overlapping windows pick the same
 * sessions again (and those are skipped as already scored) instead of drawing new ones.
 */

/** How the online evaluation samples finished sessions. Every option has a default. */
export const SamplingOptionsSchema = lazySchema(() =>
  z.strictObject({
    /**
     * Share of each stratum (sessions of one agent with one outcome) that is judged: a stratum of n
     * sessions gets round(rate × n), at least `minPerStratum`. @default 0.1
     */
    rate: z.number().min(0).max(1).default(0.1),
    /** Sessions judged from every stratum that has any, however small the rate. @default 1 */
    minPerStratum: z.number().int().min(0).default(1),
    /**
     * Always judge sessions that need attention (a tripped breaker, an escalation, a flag such as a
     * scope violation, a rejected answer, a refused signal or a guardrail finding), on top of the
     * rate. @default true
     */
    includeAttention: z.boolean().default(true),
    /**
     * Most sessions judged per run; attention sessions come first, then each stratum's picks in turn.
     * @default 100
     */
    maxSessions: z.number().int().positive().max(1000).default(100),
    /** Finished sessions looked at per run (newest first). @default 5000 */
    maxCandidates: z.number().int().positive().max(100_000).default(5000),
    /** Only these agents. @default every agent */
    agents: z.array(z.string().min(1)).min(1).optional(),
    /** Seed of the deterministic draw; change it to draw another sample of the same sessions. @default 'keel' */
    seed: z.string().default('keel'),
  }),
);
/** Sampling options as written. */
export type SamplingOptionsInput = z.input<typeof SamplingOptionsSchema>;
/** Sampling options with defaults applied. */
export type SamplingOptions = z.output<typeof SamplingOptionsSchema>;

/** A finished session that may be sampled, as the trace store describes it. */
export interface EvaluationCandidate {
  sessionId: string;
  agent: string;
  outcome: string;
  /** Distinct trace event types of the session. */
  eventTypes: readonly string[];
}

/** Why a session needs attention (and is always judged), or null. */
export type Attention = 'breaker' | 'escalated' | 'flagged';

/** Event types that flag a session for attention (besides any type starting with `guardrail`). */
export const FLAG_EVENT_TYPES: readonly string[] = ['scope_violation', 'output_rejected', 'signal_refused'];

/** Whether a session needs attention: a tripped breaker, an escalation a human resolved, or a flag. */
export function attentionOf(candidate: Pick<EvaluationCandidate, 'outcome' | 'eventTypes'>): Attention | null {
  const types = candidate.eventTypes;
  if (candidate.outcome === 'breaker_tripped' || types.includes('breaker_tripped')) return 'breaker';
  if (types.includes('escalation_resolved')) return 'escalated';
  if (candidate.outcome === 'invalid_output' || types.some((t) => FLAG_EVENT_TYPES.includes(t) || t.startsWith('guardrail'))) return 'flagged';
  return null;
}

/** Why a session is in the sample. */
export type SampleReason = Attention | 'rate' | 'stratum_minimum';

/** A sampled session. */
export interface SampledSession {
  sessionId: string;
  agent: string;
  outcome: string;
  reason: SampleReason;
}

/** One stratum of a sample: sessions of one agent with one outcome. */
export interface SampleStratum {
  agent: string;
  outcome: string;
  candidates: number;
  /** Sessions of the stratum in the sample (attention sessions included). */
  sampled: number;
  attention: number;
}

/** The sample of a run: sessions in priority order, each stratum's counts, and what the cap cut. */
export interface SessionSample {
  sessions: SampledSession[];
  strata: SampleStratum[];
  /** Sessions picked but dropped by `maxSessions`. */
  capped: number;
}

/** A session's place in the deterministic draw: a number in [0, 1) from the seed and its id. */
export function drawKey(seed: string, sessionId: string): number {
  return parseInt(sha256Hex(`${seed}\u0000${sessionId}`).slice(0, 12), 16) / 2 ** 48;
}

/**
 * Draws the sample: every attention session (with `includeAttention`), then from each stratum the
 * sessions with the lowest draw keys until it holds round(rate × n) (at least `minPerStratum`, at
 * most n); then at most `maxSessions`, attention first, then the strata's picks taken in turn.
 */
export function sampleSessions(candidates: readonly EvaluationCandidate[], options: SamplingOptions): SessionSample {
  const agents = options.agents ? new Set(options.agents) : null;
  const strata = new Map<string, Array<EvaluationCandidate & { key: number; attention: Attention | null }>>();
  for (const candidate of candidates) {
    if (agents && !agents.has(candidate.agent)) continue;
    const id = `${candidate.agent}\u0000${candidate.outcome}`;
    const members = strata.get(id) ?? [];
    members.push({ ...candidate, key: drawKey(options.seed, candidate.sessionId), attention: attentionOf(candidate) });
    strata.set(id, members);
  }
  const attention: SampledSession[] = [];
  const picks: SampledSession[][] = [];
  const report: SampleStratum[] = [];
  for (const id of [...strata.keys()].sort()) {
    const members = strata.get(id)!.sort((a, b) => a.key - b.key || (a.sessionId < b.sessionId ? -1 : 1));
    const n = members.length;
    const quota = Math.min(n, Math.max(options.minPerStratum, Math.floor(options.rate * n + 0.5)));
    const chosen: SampledSession[] = [];
    let attentionCount = 0;
    for (const m of members) {
      if (options.includeAttention && m.attention) {
        attention.push({ sessionId: m.sessionId, agent: m.agent, outcome: m.outcome, reason: m.attention });
        attentionCount += 1;
      }
    }
    const byRate = Math.floor(options.rate * n + 0.5);
    for (const m of members) {
      if (attentionCount + chosen.length >= quota) break;
      if (options.includeAttention && m.attention) continue;
      chosen.push({ sessionId: m.sessionId, agent: m.agent, outcome: m.outcome, reason: attentionCount + chosen.length < byRate ? 'rate' : 'stratum_minimum' });
    }
    picks.push(chosen);
    report.push({ agent: members[0]!.agent, outcome: members[0]!.outcome, candidates: n, sampled: attentionCount + chosen.length, attention: attentionCount });
  }
  const ordered = [...attention];
  for (let round = 0; picks.some((p) => p.length > round); round++) {
    for (const p of picks) if (p[round]) ordered.push(p[round]!);
  }
  const sessions = ordered.slice(0, options.maxSessions);
  return { sessions, strata: report, capped: ordered.length - sessions.length };
}
