import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DescribeTableCommandOutput,
  type DescribeTimeToLiveCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { TableNotActiveError } from '../../contract/kv-store.errors.js';
import type { TimeToLiveState } from '../../contract/kv-store.interface.js';

export function describeTableCommand(table: string): DescribeTableCommand {
  return new DescribeTableCommand({ TableName: table });
}

/** The table's status when it is ACTIVE; {@link TableNotActiveError} otherwise. */
export function activeTableStatus(table: string, output: DescribeTableCommandOutput): string {
  const tableStatus = output.Table?.TableStatus ?? 'UNKNOWN';
  if (tableStatus !== 'ACTIVE') throw new TableNotActiveError(table, tableStatus);
  return tableStatus;
}

export function describeTimeToLiveCommand(table: string): DescribeTimeToLiveCommand {
  return new DescribeTimeToLiveCommand({ TableName: table });
}

/** Whether DynamoDB deletes expired items by `attributeName`; TTL on another attribute does not count. */
export function timeToLiveState(output: DescribeTimeToLiveCommandOutput, attributeName: string): TimeToLiveState {
  const { TimeToLiveStatus: status = 'DISABLED', AttributeName: attribute } = output.TimeToLiveDescription ?? {};
  return status === 'DISABLED' || attribute === attributeName ? status : 'DISABLED';
}
