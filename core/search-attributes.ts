/**
 * Custom search attributes that Keel sets on every session so that sessions can be found in the
 * Temporal UI and CLI (`temporal workflow list --query 'KeelState="escalated"'`).
 * All are of type Keyword; a server must have them registered before a session starts.
 */
export const KEEL_SEARCH_ATTRIBUTES = {
  /** The agent that runs the session. */
  agent: 'KeelAgent',
  /** The tenant of the session's scope. */
  tenant: 'KeelTenant',
  /** The session's state, e.g. `running`, `awaiting_approval`, `escalated`, `completed`. */
  state: 'KeelState',
} as const;

/** Names of Keel's search attributes, all of Temporal type Keyword. */
export const KEEL_SEARCH_ATTRIBUTE_NAMES: readonly string[] = Object.values(KEEL_SEARCH_ATTRIBUTES);
