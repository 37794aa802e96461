export { agentSession, type SessionCarryOver } from './agent-session';
export { agentMonitor } from './agent-monitor';
export { sessionEvaluation } from './session-evaluation';
export { debateSession, pipelineSession, supervisorSession } from './orchestration';
