import { z } from 'zod';
import { defineTool } from '../../core/tool';
import { withScope, type SqlDatabase } from '../../store';
import { notFoundInScope } from '../scope-check';

/** The records pack: `delete_record` (write_critical) removes a customer record; deleting it again changes nothing. */
export function createRecordsTools(db: SqlDatabase) {
  const deleteRecord = defineTool({
    name: 'delete_record',
    description: 'Delete a customer record (rec_…). Needs human approval; say why in your message.',
    tier: 'write_critical',
    scope: 'subject',
    invalidates: ({ recordId }) => [`record:${recordId}`],
    input: z.object({ recordId: z.string().regex(/^rec_\w+$/) }),
    run: ({ recordId }, { scope, idempotencyKey }) =>
      withScope(db, scope, async (tx) => {
        const { rows } = await tx.query<{ deleted_at: string | null }>(`SELECT deleted_at FROM records WHERE id = $1`, [recordId]);
        if (!rows[0]) throw await notFoundInScope(tx, 'record', recordId);
        if (rows[0].deleted_at) return { deleted: true, recordId, alreadyDeleted: true };
        await tx.query(`UPDATE records SET deleted_at = now(), deleted_by_key = $2 WHERE id = $1`, [recordId, idempotencyKey]);
        return { deleted: true, recordId };
      }),
  });
  return [deleteRecord];
}
