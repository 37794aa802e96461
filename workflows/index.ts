export { agentSession, type SessionCarryOver } from './agent-session';
export { agentMonitor } from './agent-monitor';
