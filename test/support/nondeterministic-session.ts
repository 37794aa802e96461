/**
 * Keel's session workflow with a deliberately different command sequence (a timer before anything
 * else), for checking that a replay against changed code reports the nondeterminism.
 */
import { sleep } from '@temporalio/workflow';
import { agentSession as keelAgentSession } from '../../workflows/agent-session';

/** Registered under Keel's workflow type; sleeps 1 ms, then runs the real session. */
export async function agentSession(...args: Parameters<typeof keelAgentSession>): ReturnType<typeof keelAgentSession> {
  await sleep(1);
  return keelAgentSession(...args);
}
