export { InvalidSessionRequestError, KeelClient, SessionFailedError, SessionHandle, type KeelClientOptions } from './keel-client';
export type { SessionRequestInput, SessionResult, SessionStatus, SessionTrace } from '../core/session';
