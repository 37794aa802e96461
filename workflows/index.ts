export { agentSession, type SessionCarryOver } from './agent-session';
