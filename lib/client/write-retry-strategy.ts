import type { RetryErrorInfo, RetryStrategy, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';
import { attemptMayHaveApplied } from './call-context.js';

/**
 * The SDK's retry strategy, except that a write is never resent after an attempt that may have been
 * applied (a reset, a timeout, a 5xx, an answer lost while being read): that attempt may still land, and
 * a resend would apply the write a second time, possibly after later writes of other callers (seen by the
 * linearizability checker: a delayed first attempt and its resend each took effect). The call then ends
 * in "outcome unknown" (or, for a conditional write, is settled by reading its token back). Writes that
 * were refused (throttling, a refused connection) and every read are retried as the SDK would.
 */
export function noResendAfterApplied(strategy: RetryStrategyV2 | RetryStrategy, isWrite: () => boolean): RetryStrategyV2 | RetryStrategy {
  if (!isStrategyV2(strategy)) return strategy;
  return {
    acquireInitialRetryToken: (scope: string) => strategy.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: (token: RetryToken, errorInfo: RetryErrorInfo) => {
      if (isWrite() && attemptMayHaveApplied(errorInfo.error)) return Promise.reject(errorInfo.error);
      return strategy.refreshRetryTokenForRetry(token, errorInfo);
    },
    recordSuccess: (token: StandardRetryToken) => strategy.recordSuccess(token),
  };
}

/** Whether the SDK's retry middleware drives `strategy` by tokens (every strategy of `@smithy/core`), rather than handing it the request. */
export function isStrategyV2(strategy: RetryStrategyV2 | RetryStrategy): strategy is RetryStrategyV2 {
  return typeof (strategy as Partial<RetryStrategyV2>).refreshRetryTokenForRetry === 'function';
}
