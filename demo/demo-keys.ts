import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApproverKey, readApproverKey, trustApproverKey, writeApproverKey, type ApproverKeyFile } from '../client/approver-key';
import { ApproverKeyFile as TrustedKeyFile } from '../store';

const KEEL_DIR = join(__dirname, '..', '.keel');

/** Where the demo keeps its development approver key and the key file its worker trusts. */
export const DEMO_KEY_PATH = join(KEEL_DIR, 'keys', 'demo-supervisor.json');
export const DEMO_TRUSTED_KEYS_PATH = join(KEEL_DIR, 'approver-keys.json');

/**
 * The offline demo's development approver: `demo-supervisor` in role `support-lead` for tenant
 * `acme`, made once (an Ed25519 key pair) and trusted by the demo's worker. A development key only:
 * production keys are made per person with `keel keys create`.
 */
export function demoApprover(): { key: ApproverKeyFile; keyPath: string; trusted: TrustedKeyFile } {
  if (!existsSync(DEMO_KEY_PATH)) {
    const created = createApproverKey({ kid: 'demo-supervisor-dev', identity: 'demo-supervisor', roles: ['support-lead'], tenants: ['acme'] });
    writeApproverKey(DEMO_KEY_PATH, created.privateKey);
    trustApproverKey(DEMO_TRUSTED_KEYS_PATH, created.trusted);
  }
  return { key: readApproverKey(DEMO_KEY_PATH), keyPath: DEMO_KEY_PATH, trusted: new TrustedKeyFile(DEMO_TRUSTED_KEYS_PATH) };
}
