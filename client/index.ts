export { InvalidSessionRequestError, KeelClient, SessionFailedError, SessionHandle, type KeelClientOptions } from './keel-client';
export {
  formatReplayReport,
  replaySession,
  SessionNotFoundError,
  type ReplayReport,
  type ReplaySessionOptions,
  type RunReplay,
} from './session-replay';
export type { SessionRequestInput, SessionResult, SessionStatus, SessionTrace } from '../core/session';
