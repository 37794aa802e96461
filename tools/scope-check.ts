import { ScopeViolationError } from '../core/tool';
import type { SqlClient } from '../store';

/** What the session's scope can hold by id. */
export type ScopedKind = 'customer' | 'order' | 'record';

/** The words a tool uses for an id it cannot see, whether the id is missing or outside the scope. */
export function notInScopeMessage(kind: ScopedKind, id: string): string {
  return `no ${kind} "${id}" in this session's scope`;
}

/**
 * After row-level security returned nothing for `id`: the error to throw. An id that exists outside
 * the session's scope gives a {@link ScopeViolationError} (counted and traced as a scope violation),
 * a missing one an ordinary error; both say exactly the same, so the model cannot tell another
 * tenant's or subject's id from one that does not exist.
 */
export async function notFoundInScope(tx: SqlClient, kind: ScopedKind, id: string): Promise<Error> {
  const owners = await tx.query(`SELECT tenant FROM keel_scope_owner($1, $2)`, [kind, id]);
  const message = notInScopeMessage(kind, id);
  return owners.rows.length > 0 ? new ScopeViolationError(message) : new Error(message);
}
