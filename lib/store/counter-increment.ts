import { InvalidValueError, NotACounterError } from '../contract/kv-store.errors.js';
import type { CounterStep } from '../input/input-rules.js';
import { restartCounterCommand } from './requests/counter.request.js';
import type { StoredItem } from './requests/item-format.js';
import type { RequestWindow, TableRequests } from './table-requests.js';

/**
 * `increment` on DynamoDB: an atomic ADD to a live counter (or a new one), else a conditional put that
 * restarts an expired counter at the delta, repeated while concurrent writes change the key in between,
 * until the call's deadline. A string value or a count the delta would carry out of range refuses it.
 */
export async function incrementCounter(requests: TableRequests, step: CounterStep, window: RequestWindow): Promise<number> {
  const { format, table } = requests.target;
  for (;;) {
    const round = await requests.increment('increment', step, window);
    if (round.counted) return round.count;
    // dynalite returns no item with a failed condition; DynamoDB does.
    const item: StoredItem | undefined = round.item ?? (await requests.storedItem('increment', step.key, true, window));
    if (item !== undefined && requests.found(item).state === 'value') {
      if (format.holdsString(item)) throw new NotACounterError(step.key, table);
      const count = format.countOf(item);
      if (count !== undefined && !Number.isSafeInteger(count + step.delta)) {
        throw new InvalidValueError(`adding ${step.delta} would carry the counter beyond ±(2^53 - 1); nothing changed.`, { operation: 'increment', table });
      }
      continue;
    }
    const restarted = await requests.conditionalPut('increment', step.key, (token, nowMs) => restartCounterCommand(requests.target, { ...step, token }, nowMs), window);
    if (restarted) return step.delta;
  }
}
