import {
  KvOutcomeUnknownError,
  KvThrottledError,
  KvUnavailableError,
  OperationAbortedError,
  type KvStoreErrorContext,
} from '../../contract/kv-store.errors.js';
import type { EarlyEnd, WaiterPhase } from './waiter.js';

/** What a coalesced call that ends before its answer is told, from where it was: the same words a lone call would get. */
export function earlyEndError(
  why: EarlyEnd,
  phase: WaiterPhase,
  call: KvStoreErrorContext & { write: boolean; timeoutMs: number; reason?: unknown },
): Error {
  const { write, timeoutMs, reason, ...context } = call;
  const what = `The ${context.operation} on table '${context.table}'`;
  if (write && (phase === 'sent' || phase === 'maybe-applied')) {
    const ended = why === 'aborted' ? 'was aborted by its signal' : `got no answer within its ${timeoutMs} ms budget`;
    return new KvOutcomeUnknownError(`${what} ${ended} after its request may have reached DynamoDB: the write may or may not have been applied. Read the key to know.`, context);
  }
  if (why === 'aborted') return new OperationAbortedError(reason, context);
  if (phase === 'unprocessed') {
    return new KvThrottledError(`DynamoDB left the ${context.operation} on table '${context.table}' unprocessed (throttled) until its ${timeoutMs} ms budget ran out; nothing was changed.`, context);
  }
  const waited = phase === 'queued' ? 'waited for a free request longer than its' : 'got no answer within its';
  return new KvUnavailableError(`${what} ${waited} ${timeoutMs} ms budget${write ? '; nothing was changed' : ''}.`, context);
}
