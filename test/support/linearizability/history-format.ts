import type { Operation } from './history.js';
import { describeOperation } from './kv-model.js';

/**
 * A history as a table, one operation a line in call order, times in ms from `origin` (the first call shown):
 *
 *   client   call   return  operation
 *   c3       12.1     15.4  set('c3-o2')
 *   c5       13.0        ?  compareAndSwap('c1-o1' → 'c5-o4') → ?   (outcome unknown)
 */
export function formatHistory(operations: readonly Operation[], origin = Math.min(...operations.map((operation) => operation.call))): string {
  const ordered = [...operations].sort((a, b) => a.call - b.call || a.return - b.return);
  const rows = ordered.map((operation) => [
    clientName(operation.client),
    (operation.call - origin).toFixed(1),
    operation.status === 'ok' ? (operation.return - origin).toFixed(1) : '?',
    describeOperation(operation) + (operation.origin === undefined ? '' : `  [${operation.origin}]`) + statusNote(operation),
  ]);
  const header = ['client', 'call', 'return', 'operation'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 1 || column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(column === 3 ? 0 : widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `  ${text}`).join('\n');
}

function statusNote(operation: Operation): string {
  if (operation.cut) return '  (still running where this part is cut: taken as unknown)';
  return operation.status === 'unknown' ? '  (outcome unknown)' : '';
}

/** `c3` for client 3; the final reads, which belong to no client, as `final`. */
export function clientName(client: number): string {
  return client < 0 ? 'final' : `c${client}`;
}
