import type { Operation } from './history.js';
import { clientName, formatHistory } from './history-format.js';
import type { Progress } from './key-search.js';
import { ANY_VALUE, describeOperation, describeOutput, describeState, type KeyState } from './kv-model.js';

/** The failing part of a key's history shown to people, and the state it starts from. */
export interface ShownPart {
  shown: readonly Operation[];
  initial: KeyState;
}

/** Why a key's history is not linearizable, with the part of it that shows it, for a test's failure message. */
export function explainViolation(key: string, part: ShownPart, recorded: number, furthest: Progress | undefined): string {
  const { shown, initial } = part;
  const lines = [
    `The history of key '${key}' is not linearizable: no order of its operations, each taking effect once between its call ` +
      `and its return (or at any time after its call, or never, for an unknown outcome), explains what the callers saw.`,
    `${shown.length} of the ${recorded} operations recorded on this key already show it` +
      (initial === ANY_VALUE
        ? ', from the middle of the history: the key may hold any value (or none) when it starts, and writes called before it ' +
          'that may take effect during it are included as unknown outcomes:'
        : ':'),
    formatHistory(shown),
  ];
  if (furthest === undefined) return lines.join('\n');
  const order = furthest.order.map((operation, index) => `    ${index + 1}. ${clientName(operation.client)} ${describeOperation(operation)}`);
  const next = furthest.next.map(
    ({ operation, output }) =>
      `    ${clientName(operation.client)} ${describeOperation(operation)}` +
      (answered(operation) ? `   (the key would answer ${describeOutput(output)})` : ''),
  );
  return [
    ...lines,
    `The longest order that fits takes ${furthest.completedLinearized} of their ${furthest.completedTotal} completed operations:`,
    ...(order.length > 0 ? order : ['    (none)']),
    `  which leaves the key ${describeState(furthest.state)}. Then one of these had to come next, and none fits (or each leads to a dead end):`,
    ...(next.length > 0 ? next : ['    (none)']),
  ].join('\n');
}

/** Whether the caller saw an answer worth setting against the model's: a read's value, a condition's verdict. */
function answered(operation: Operation): boolean {
  if (operation.status !== 'ok') return false;
  return operation.kind === 'get' || operation.kind === 'setIfAbsent' || operation.kind === 'compareAndSwap' || operation.kind === 'increment';
}

/** Why the check gave up on a key. */
export function explainInconclusive(key: string, operations: readonly Operation[], steps: number): string {
  const unknown = operations.filter((operation) => operation.status === 'unknown').length;
  return (
    `The check of key '${key}' gave up after ${steps} search steps, undecided: ${operations.length} operations, ${unknown} of them ` +
    `with unknown outcomes (each may or may not have taken effect, which multiplies the orders to try), and no short ` +
    `stretch of them fails on its own. Record fewer operations per key (more keys, fewer clients or operations) or raise maxSteps.`
  );
}
