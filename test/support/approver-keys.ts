import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createApproverKey, writeApproverKey, type ApproverKeyFile } from '../../client/approver-key';
import { StaticApproverKeys } from '../../store';
import type { TrustedKey } from '../../core/decision-statement';

/** The same key pair in every process of the run (the test workers in their own processes too). */
const seedOf = (name: string) => createHash('sha256').update(`keel-test-approver:${name}`).digest();

/**
 * The test run's approvers: real Ed25519 key pairs, the same in every test process. Each signs for its
 * own identity; `bob` holds role `finance`; `mallory` has a key the deployment trusts for `acme`
 * but is nobody's approver; `eve`'s key is trusted for `globex` only.
 */
const PEOPLE = {
  alice: { identity: 'alice', roles: [] as string[], tenants: ['acme'] },
  bob: { identity: 'bob', roles: ['finance'], tenants: ['acme'] },
  oncall: { identity: 'oncall@acme', roles: ['oncall'], tenants: ['acme'] },
  maria: { identity: 'maria', roles: ['support-lead'], tenants: ['acme'] },
  ops: { identity: 'ops', roles: [], tenants: ['*'] },
  mallory: { identity: 'mallory', roles: [], tenants: ['acme'] },
  eve: { identity: 'eve', roles: ['finance'], tenants: ['globex'] },
};
export type TestPerson = keyof typeof PEOPLE;

const made = Object.fromEntries(
  Object.entries(PEOPLE).map(([name, p]) => [name, createApproverKey({ kid: `test-${name}`, identity: p.identity, roles: p.roles, tenants: p.tenants, seed: seedOf(name) })]),
) as Record<TestPerson, ReturnType<typeof createApproverKey>>;

/** The private key of a test person. */
export function testKey(person: TestPerson): ApproverKeyFile {
  return made[person].privateKey;
}

/** An issuer's key (like the inbox's): it signs for any identity it names, in role `support-lead` at most. */
const issuer = createApproverKey({ kid: 'test-issuer', issuer: true, roles: ['support-lead'], tenants: ['acme'], seed: seedOf('issuer') });
export function testIssuerKey(): ApproverKeyFile {
  return issuer.privateKey;
}

/** The keys the test workers trust. */
export const TEST_TRUSTED_KEYS: TrustedKey[] = [...Object.values(made).map((k) => k.trusted), issuer.trusted];

/** A key source for test workers. */
export function testApproverKeys(): StaticApproverKeys {
  return new StaticApproverKeys(TEST_TRUSTED_KEYS);
}

/** Approvers of test sessions that name none: everyone above but mallory and eve. */
export const TEST_DEFAULT_APPROVERS = ['alice', 'role:finance', 'oncall@acme', 'maria', 'ops'];

/** A test person's private key as a file in `dir`, the way `keel keys create` leaves it. */
export function testKeyFile(person: TestPerson, dir: string): string {
  const path = join(dir, 'keys', `${person}-${process.pid}.json`);
  writeApproverKey(path, testKey(person));
  return path;
}
