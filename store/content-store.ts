import { SCOPE_LIMITS } from '../core/session';

/**
 * Where large session content lives (transcripts, tool outputs), so that workflow history carries
 * only references. Content is addressed by its SHA-256: writing the same bytes twice gives the same
 * reference, which makes retried and replayed activities harmless.
 *
 * Content belongs to a tenant: the reference is the hash of the text alone (so recorded histories and
 * history sizes do not change), and the store keeps each tenant's content apart, so a reference is
 * only readable by a tenant that stored that text itself.
 */

/** Whose content: a tenant never reads another tenant's content, even by its reference. */
export interface ContentStore {
  /** Stores text for a tenant and returns its reference (`sha256:<hex>` of the text). */
  put(text: string, tenant: string): Promise<string>;
  /** The tenant's text of a reference; ContentNotFoundError when this tenant has none (another tenant's content reads the same as missing). */
  get(ref: string, tenant: string): Promise<string>;
}

/** The longest tenant a content store accepts (the same bound as a decision's tenant list entries). */
export const MAX_TENANT_CHARS = SCOPE_LIMITS.tenantChars;

/** The form of every content reference. */
export const CONTENT_REF = /^sha256:([0-9a-f]{64})$/;

/**
 * A reference that this tenant does not hold in the store. The same message whether the content is
 * missing or belongs to another tenant, so a reference reveals nothing across tenants.
 */
export class ContentNotFoundError extends Error {
  override readonly name = 'ContentNotFoundError';
  constructor(readonly ref: string, where: string) {
    super(`content ${ref} is not in the content store at ${where} for this tenant; every worker of a task queue must share one store`);
  }
}

/** A reference that is not `sha256:<64 hex>`; names the bad value (bounded). */
export class InvalidContentRefError extends Error {
  override readonly name = 'InvalidContentRefError';
  readonly nonRetryable = true;
  constructor(readonly ref: string) {
    super(`content reference ${JSON.stringify(String(ref).slice(0, 80))} is not of the form sha256:<64 hex digits>`);
  }
}

/** A tenant that is empty, not a string or longer than {@link MAX_TENANT_CHARS}. */
export class InvalidContentTenantError extends Error {
  override readonly name = 'InvalidContentTenantError';
  readonly nonRetryable = true;
  constructor(readonly tenant: unknown) {
    super(
      typeof tenant !== 'string'
        ? `content tenant must be a string, got ${typeof tenant}`
        : `content tenant must be 1 to ${MAX_TENANT_CHARS} characters, got ${tenant.length}`,
    );
  }
}

/** The tenant, checked: a non-empty string of at most {@link MAX_TENANT_CHARS} characters. */
export function checkContentTenant(tenant: unknown): string {
  if (typeof tenant !== 'string' || tenant.length === 0 || tenant.length > MAX_TENANT_CHARS) throw new InvalidContentTenantError(tenant);
  return tenant;
}

/** The hex digest of a reference, checked; throws {@link InvalidContentRefError} otherwise. */
export function contentRefHex(ref: unknown): string {
  const match = typeof ref === 'string' ? CONTENT_REF.exec(ref) : null;
  if (!match) throw new InvalidContentRefError(String(ref));
  return match[1]!;
}
