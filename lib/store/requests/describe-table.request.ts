import { DescribeTableCommand, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import { TableNotActiveError } from '../../contract/kv-store.errors.js';

export function describeTableCommand(table: string): DescribeTableCommand {
  return new DescribeTableCommand({ TableName: table });
}

/** The table's status when it is ACTIVE; {@link TableNotActiveError} otherwise. */
export function activeTableStatus(table: string, output: DescribeTableCommandOutput): string {
  const tableStatus = output.Table?.TableStatus ?? 'UNKNOWN';
  if (tableStatus !== 'ACTIVE') throw new TableNotActiveError(table, tableStatus);
  return tableStatus;
}
