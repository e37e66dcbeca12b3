import { getRetryAfterHint, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryErrorType, SdkError } from '@smithy/types';

/**
 * A failed attempt as the SDK's retry middleware describes it to the retry strategy: throttling,
 * transient (connection errors, timeouts, 5xx that the SDK retries, a corrected clock) or not retryable,
 * with the server's retry-after hint. The same classification functions, from `@smithy/core/retry`.
 */
export function retryErrorInfo(error: unknown): RetryErrorInfo {
  const sdkError = error as SdkError;
  const info: RetryErrorInfo = { error: sdkError, errorType: retryErrorType(sdkError) };
  const hint = getRetryAfterHint((error as { $response?: unknown }).$response);
  if (hint) info.retryAfterHint = hint;
  return info;
}

function retryErrorType(error: SdkError): RetryErrorType {
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** What the call rejects with: the error itself, or an Error that carries it (as the SDK's retry middleware does). */
export function asSdkError(error: unknown): Error & { $metadata?: Record<string, unknown> } {
  if (error instanceof Error) return error;
  if (error instanceof Object) return Object.assign(new Error(), error);
  if (typeof error === 'string') return new Error(error);
  return new Error(`AWS SDK error wrapper for ${String(error)}`);
}
