import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type GetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoKvSettings } from '../../options/dynamo-kv.settings.js';

type ItemSettings = Pick<DynamoKvSettings, 'table' | 'partitionKeyName' | 'valueAttributeName' | 'consistentRead'>;

/** The key of one item, as DynamoDB takes it. */
export function itemKey(settings: ItemSettings, key: string): Record<string, AttributeValue> {
  return { [settings.partitionKeyName]: { S: key } };
}

export function getItemCommand(settings: ItemSettings, key: string): GetItemCommand {
  return new GetItemCommand({ TableName: settings.table, Key: itemKey(settings, key), ConsistentRead: settings.consistentRead });
}

export function putItemCommand(settings: ItemSettings, key: string, value: string): PutItemCommand {
  const item = { ...itemKey(settings, key), [settings.valueAttributeName]: { S: value } };
  return new PutItemCommand({ TableName: settings.table, Item: item });
}

export function deleteItemCommand(settings: ItemSettings, key: string): DeleteItemCommand {
  return new DeleteItemCommand({ TableName: settings.table, Key: itemKey(settings, key) });
}

/** The stored string, or undefined when there is no item or it has no string value attribute. */
export function storedValue(settings: ItemSettings, output: GetItemCommandOutput): string | undefined {
  const item = output.Item;
  // Own properties only: a value attribute named like an Object.prototype member must not read the prototype.
  if (item === undefined || !Object.hasOwn(item, settings.valueAttributeName)) return undefined;
  return item[settings.valueAttributeName]?.S;
}
