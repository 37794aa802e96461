import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core/errors';
import { checkContentTenant, InvalidContentTenantError } from '../store';
import { KEEL_SEARCH_ATTRIBUTE_KEYS } from '../workflows/api';

/** Sessions whose tenant a worker remembers (looked up once, never changes). */
const REMEMBERED_SESSIONS = 4096;

/**
 * The tenant whose content an activity reads and writes: the session's scope, which the workflow
 * passes with every activity that touches content. An activity scheduled before content was scoped
 * by tenant (a retry in flight across the upgrade) has none: its session's `tenant` search
 * attribute, which the session set from the same scope when it started, is read once from Temporal.
 */
export function createSessionTenants() {
  const known = new Map<string, string>();
  return async (given: string | undefined): Promise<string> => {
    if (given !== undefined) return contentTenant(given);
    const { info, client } = Context.current();
    const workflowId = info.workflowExecution?.workflowId;
    const cached = workflowId ? known.get(workflowId) : undefined;
    if (cached) return cached;
    const tenant = workflowId ? (await client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(KEEL_SEARCH_ATTRIBUTE_KEYS.tenant) : undefined;
    if (!workflowId || !tenant) {
      throw ApplicationFailure.create({
        type: FailureType.ContentNotFound,
        message: `activity ${info.activityType} of ${workflowId ?? '(no workflow)'} names no tenant and its session has no tenant search attribute: its content cannot be read`,
        nonRetryable: true,
      });
    }
    if (known.size >= REMEMBERED_SESSIONS) known.delete(known.keys().next().value!);
    known.set(workflowId, contentTenant(tenant));
    return tenant;
  };
}

/**
 * The session's tenant as content stores take it (1 to 256 characters); a tenant they cannot take
 * fails the activity without retries (the same tenant would fail again).
 */
export function contentTenant(tenant: string): string {
  try {
    return checkContentTenant(tenant);
  } catch (error) {
    if (!(error instanceof InvalidContentTenantError)) throw error;
    throw ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
  }
}
