export { agentSession, type SessionCarryOver } from './agent-session';
export { agentMonitor } from './agent-monitor';
export { sessionEvaluation } from './session-evaluation';
export { debateSession, pipelineSession, supervisorSession } from './orchestration';
// Each workflow type's behaviour under Worker Deployment Versioning (registration-time, no command).
import './versioning-behavior';

import type { AgentSessionWorkflow, OrchestrationWorkflow } from './api';
import { agentSession } from './agent-session';
import { debateSession, pipelineSession, supervisorSession } from './orchestration';
// The workflows keep the signatures clients start them by.
const typed: [AgentSessionWorkflow, OrchestrationWorkflow, OrchestrationWorkflow, OrchestrationWorkflow] = [agentSession, supervisorSession, pipelineSession, debateSession];
void typed;
