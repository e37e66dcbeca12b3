import { returnTime, type Operation } from './history.js';

/** An event of the history: an operation's call or its return, in a list the search unlinks as it linearizes. */
export interface Entry {
  kind: 'call' | 'return' | 'head';
  time: number;
  /** The operation's index in the list searched (-1 for the head). */
  operation: number;
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * The calls and returns in time order behind a head entry; at equal times calls come first, so that
 * operations that touch count as concurrent.
 */
export function entryList(ops: readonly Operation[]): Entry {
  const events: Entry[] = [];
  ops.forEach((operation, index) => {
    const call: Entry = { kind: 'call', time: operation.call, operation: index, match: null, prev: null, next: null };
    const ret: Entry = { kind: 'return', time: returnTime(operation), operation: index, match: null, prev: null, next: null };
    call.match = ret;
    events.push(call, ret);
  });
  events.sort((a, b) => a.time - b.time || (a.kind === b.kind ? a.operation - b.operation : a.kind === 'call' ? -1 : 1));
  const head: Entry = { kind: 'head', time: Number.NEGATIVE_INFINITY, operation: -1, match: null, prev: null, next: null };
  let last = head;
  for (const event of events) {
    last.next = event;
    event.prev = last;
    last = event;
  }
  return head;
}

/** Takes a call and its return out of the list. */
export function lift(call: Entry): void {
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

/** Puts them back, in the reverse order of {@link lift}. */
export function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}
