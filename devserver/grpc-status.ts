import { isGrpcServiceError } from '@temporalio/client';

/** gRPC status codes that Keel's dev-server tooling tells apart (values of the gRPC spec). */
export const GrpcStatus = {
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
} as const;

/** Whether `err` is a gRPC error from the server with status `code`. */
export function hasGrpcStatus(err: unknown, code: number): boolean {
  return isGrpcServiceError(err) && err.code === code;
}
