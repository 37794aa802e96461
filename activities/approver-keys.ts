import { ApplicationFailure } from '@temporalio/common';
import { keysForTenant, type TrustedKey } from '../core/decision-statement';
import { ApproverKeysUnavailableError, type ApproverKeySource } from '../store';

/** Input of the `approverKeys` activity. */
export interface ApproverKeysInput {
  tenant: string;
}

/** The activity through which a session loads the keys trusted for its tenant (recorded in its history, so replay verifies the same way). */
export function createApproverKeyActivities(source: ApproverKeySource | undefined) {
  return {
    async approverKeys(input: ApproverKeysInput): Promise<TrustedKey[]> {
      if (!source) return [];
      try {
        return keysForTenant(await source.keys(), input.tenant);
      } catch (error) {
        if (error instanceof ApproverKeysUnavailableError) {
          // Retried: the operator can fix the file while the session waits.
          throw ApplicationFailure.create({ type: 'ApproverKeysUnavailableError', message: error.message });
        }
        throw error;
      }
    },
  };
}

export type ApproverKeyActivities = ReturnType<typeof createApproverKeyActivities>;
