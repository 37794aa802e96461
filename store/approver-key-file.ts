import { readFile, stat } from 'node:fs/promises';
import { TrustedKeyFileSchema, type TrustedKey } from '../core/decision-statement';

/** Where the worker finds the keys it trusts to sign decisions. */
export interface ApproverKeySource {
  /** Every trusted key (the session picks its tenant's). */
  keys(): Promise<TrustedKey[]>;
}

/** The approver key file is missing or invalid: no decision can be verified until it is fixed. */
export class ApproverKeysUnavailableError extends Error {
  override readonly name = 'ApproverKeysUnavailableError';
}

/**
 * The trusted keys in a JSON file (`{ "keys": [ { kid, publicKey, tenants, identity | issuer, roles } ] }`),
 * read again whenever the file changes: rotating a key is editing the file (add the new key id,
 * later remove the old one); sessions pick the change up when they next load their keys.
 */
export class ApproverKeyFile implements ApproverKeySource {
  private cached: { mtimeMs: number; size: number; keys: TrustedKey[] } | undefined;

  constructor(readonly path: string) {}

  async keys(): Promise<TrustedKey[]> {
    let info;
    try {
      info = await stat(this.path);
    } catch {
      throw new ApproverKeysUnavailableError(`approver key file ${this.path} does not exist (create keys with "keel keys create")`);
    }
    if (this.cached && this.cached.mtimeMs === info.mtimeMs && this.cached.size === info.size) return this.cached.keys;
    if (info.size > 16 * 1024 * 1024) throw new ApproverKeysUnavailableError(`approver key file ${this.path} is larger than 16 MiB`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      throw new ApproverKeysUnavailableError(`approver key file ${this.path} is not JSON: ${(error as Error).message}`);
    }
    const file = TrustedKeyFileSchema.safeParse(parsed);
    if (!file.success) {
      const issues = file.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new ApproverKeysUnavailableError(`approver key file ${this.path} is invalid: ${issues}`);
    }
    const kids = new Set<string>();
    for (const key of file.data.keys) {
      if (kids.has(key.kid)) throw new ApproverKeysUnavailableError(`approver key file ${this.path}: key id "${key.kid}" appears twice`);
      kids.add(key.kid);
    }
    this.cached = { mtimeMs: info.mtimeMs, size: info.size, keys: file.data.keys };
    return file.data.keys;
  }
}

/** Keys given in code (tests, or a deployment that loads them from its own secret store). */
export class StaticApproverKeys implements ApproverKeySource {
  private readonly list: TrustedKey[];
  constructor(keys: readonly TrustedKey[]) {
    this.list = TrustedKeyFileSchema.parse({ keys }).keys;
  }
  async keys(): Promise<TrustedKey[]> {
    return this.list;
  }
}
