import { ScopeViolationError } from '../core/tool';
import type { SqlClient } from '../store';

/**
 * After row-level security returned nothing for `id`, tells a missing resource from one outside the
 * session's scope: the latter throws {@link ScopeViolationError} (no data of it is revealed).
 */
export async function assertMissingNotForeign(tx: SqlClient, kind: 'customer' | 'order' | 'record', id: string): Promise<void> {
  const owners = await tx.query(`SELECT tenant FROM keel_scope_owner($1, $2)`, [kind, id]);
  if (owners.rows.length > 0) throw new ScopeViolationError(`${kind} "${id}" is outside this session's scope`);
}
