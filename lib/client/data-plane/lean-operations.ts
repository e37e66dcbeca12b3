import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { EndpointParameterInstructionsSupplier } from '@smithy/core/endpoints';
import { WRITE_COMMANDS } from '../call-context.js';

/** A command's input as the lean path reads it: a plain object of the operation's members. */
export type LeanInput = Record<string, unknown>;

/** A data-plane operation the lean path sends itself. */
export interface LeanOperation {
  /** The operation's name, as in `X-Amz-Target: DynamoDB_20120810.<name>`. */
  readonly name: string;
  /** It changes what is stored: never resent once an attempt may have been applied. */
  readonly write: boolean;
  /** The command class: its endpoint parameter instructions resolve the endpoint exactly as the SDK does. */
  readonly endpointParameters: EndpointParameterInstructionsSupplier;
  /** What the endpoint depends on in the input (the ResourceArn parameters: the table or tables). */
  resourcesOf(input: LeanInput): string;
}

const byTable = (input: LeanInput): string => String(input.TableName);
const byRequestItems = (input: LeanInput): string => Object.keys((input.RequestItems as object | undefined) ?? {}).join('\n');

function leanOperation(name: string, command: EndpointParameterInstructionsSupplier, resourcesOf: (input: LeanInput) => string): LeanOperation {
  // The same names the SDK path's attempt log reads from the handler context.
  return { name, write: WRITE_COMMANDS.has(`${name}Command`), endpointParameters: command, resourcesOf };
}

/** The commands the store sends on its hot path, by class. Everything else goes through the SDK. */
const OPERATIONS = new Map<unknown, LeanOperation>([
  [GetItemCommand, leanOperation('GetItem', GetItemCommand, byTable)],
  [PutItemCommand, leanOperation('PutItem', PutItemCommand, byTable)],
  [DeleteItemCommand, leanOperation('DeleteItem', DeleteItemCommand, byTable)],
  [UpdateItemCommand, leanOperation('UpdateItem', UpdateItemCommand, byTable)],
  [BatchGetItemCommand, leanOperation('BatchGetItem', BatchGetItemCommand, byRequestItems)],
  [BatchWriteItemCommand, leanOperation('BatchWriteItem', BatchWriteItemCommand, byRequestItems)],
  [ScanCommand, leanOperation('Scan', ScanCommand, byTable)],
]);

/** The lean operation of `command`, or undefined when the SDK sends it. */
export function leanOperationOf(command: unknown): LeanOperation | undefined {
  if (command === null || typeof command !== 'object') return undefined;
  return OPERATIONS.get(command.constructor);
}
