import type { Operation } from './history.js';
import { clientName, formatHistory } from './history-format.js';
import type { DroppedWrite } from './recorder.js';

/**
 * Where the values come from that a failing part of a history read and that no operation in that part
 * wrote: a write left out of the part (a conditional write that answered false, say), or one left out of
 * the history because the store said it changed nothing. These are the likely culprits, so a failure
 * message names them.
 */
export function sourcesOfValuesSeen(part: readonly Operation[], keyHistory: readonly Operation[], dropped: readonly DroppedWrite[]): string[] {
  const lines: string[] = [];
  const origin = Math.min(...part.map((operation) => operation.call));
  const writtenInPart = new Set(part.map(writtenValue));
  const reads = part.filter((operation) => operation.kind === 'get' && operation.output !== null);
  for (const value of new Set(reads.map((read) => (read.kind === 'get' ? read.output : null)))) {
    if (value === null || writtenInPart.has(value)) continue;
    const writers = keyHistory.filter((operation) => writtenValue(operation) === value);
    const droppedWriters = dropped.filter((write) => write.key === reads[0]?.key && write.value === value);
    if (writers.length > 0) lines.push(`'${value}' was written by (in the history, left out above; same clock):\n${formatHistory(writers, origin)}`);
    for (const write of droppedWriters) {
      lines.push(`'${value}' was written by ${clientName(write.client)}'s ${write.call}, which ended with ${write.ending}: nothing changed, it says, so it is not in the history.`);
    }
    if (writers.length === 0 && droppedWriters.length === 0) lines.push(`'${value}' was written by no call the recorder saw.`);
  }
  return lines;
}

function writtenValue(operation: Operation): string | undefined {
  if (operation.kind === 'set' || operation.kind === 'setIfAbsent') return operation.input.value;
  if (operation.kind === 'compareAndSwap') return operation.input.next;
  if (operation.kind === 'increment' && typeof operation.output === 'number') return String(operation.output);
  return undefined;
}
