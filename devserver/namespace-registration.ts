import type { WorkflowService } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';

import { GrpcStatus, hasGrpcStatus } from './grpc-status';

/** Anything with raw access to Temporal's workflow service: a client `Connection` or a worker `NativeConnection`. */
export interface WorkflowServiceConnection {
  readonly workflowService: WorkflowService;
}

/** Options of {@link ensureNamespace}. */
export interface EnsureNamespaceOptions {
  /**
   * How long the server keeps closed workflows of a namespace this call registers
   * (a number of milliseconds or a string such as `'1 day'`).
   * @default '1 day' (as for the namespaces the dev server creates itself)
   */
  retention?: Duration;
}

/**
 * Registers `namespace` unless it exists; returns true if it registered it. For local servers:
 * the dev server creates the namespaces named by `--namespace` at start, but a server that is
 * reused was started by someone else with other flags.
 */
export async function ensureNamespace(
  connection: WorkflowServiceConnection,
  namespace: string,
  options: EnsureNamespaceOptions = {},
): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return false;
  } catch (err) {
    if (!hasGrpcStatus(err, GrpcStatus.NOT_FOUND)) throw err;
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(options.retention ?? '1 day'),
    });
    return true;
  } catch (err) {
    if (hasGrpcStatus(err, GrpcStatus.ALREADY_EXISTS)) return false;
    throw err;
  }
}
