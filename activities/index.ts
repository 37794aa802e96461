export { ModelClient, toModelFailure, type ModelEndpoint } from './model';
export { createSessionActivities, type SessionActivities, type SessionActivityDeps } from './session-activities';
export { DEFAULT_CONTEXT_WINDOW, loadTranscript, type ContextWindow, type StoredMessage } from './transcript';
