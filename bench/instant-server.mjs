#!/usr/bin/env node
// @ts-check
/**
 * An instant DynamoDB: answers the JSON protocol from memory, for only the operations the benchmark calls
 * (CreateTable, DescribeTable, GetItem, PutItem, DeleteItem, BatchGetItem, BatchWriteItem), so that the
 * client's own cost shows. Runs in its own process; prints `listening <port>` once it listens on 127.0.0.1.
 * Not DynamoDB: no validation, no conditions, no capacity, no limits.
 */
import { createServer } from 'node:http';
import { crc32 } from 'node:zlib';

/** @type {Map<string, { keyName: string, items: Map<string, unknown> }>} */
const tables = new Map();

/** @param {string} name */
function table(name) {
  const found = tables.get(name);
  if (!found) throw Object.assign(new Error('Requested resource not found'), { type: 'ResourceNotFoundException' });
  return found;
}

/** @param {{ keyName: string }} target @param {Record<string, { S: string }>} key */
const keyOf = (target, key) => key[target.keyName]?.S ?? '';

/** @type {Record<string, (input: any) => unknown>} */
const operations = {
  CreateTable(input) {
    const keyName = input.KeySchema[0].AttributeName;
    tables.set(input.TableName, { keyName, items: new Map() });
    return { TableDescription: { TableName: input.TableName, TableStatus: 'ACTIVE' } };
  },
  DescribeTable(input) {
    const { keyName } = table(input.TableName);
    return {
      Table: {
        TableName: input.TableName,
        TableStatus: 'ACTIVE',
        KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: keyName, AttributeType: 'S' }],
      },
    };
  },
  DeleteTable(input) {
    tables.delete(input.TableName);
    return {};
  },
  GetItem(input) {
    const target = table(input.TableName);
    const item = target.items.get(keyOf(target, input.Key));
    return item === undefined ? {} : { Item: item };
  },
  PutItem(input) {
    const target = table(input.TableName);
    target.items.set(keyOf(target, input.Item), input.Item);
    return {};
  },
  DeleteItem(input) {
    const target = table(input.TableName);
    target.items.delete(keyOf(target, input.Key));
    return {};
  },
  BatchGetItem(input) {
    /** @type {Record<string, unknown[]>} */
    const responses = {};
    for (const [name, request] of Object.entries(input.RequestItems)) {
      const target = table(name);
      responses[name] = request.Keys.map((/** @type {any} */ key) => target.items.get(keyOf(target, key))).filter(Boolean);
    }
    return { Responses: responses, UnprocessedKeys: {} };
  },
  BatchWriteItem(input) {
    for (const [name, writes] of Object.entries(input.RequestItems)) {
      const target = table(name);
      for (const write of writes) {
        if (write.PutRequest) target.items.set(keyOf(target, write.PutRequest.Item), write.PutRequest.Item);
        else target.items.delete(keyOf(target, write.DeleteRequest.Key));
      }
    }
    return { UnprocessedItems: {} };
  },
};

const server = createServer((request, response) => {
  /** @type {Buffer[]} */
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    let status = 200;
    let body;
    try {
      const run = operations[operation];
      if (!run) throw Object.assign(new Error(`${operation} is not served by the instant server`), { type: 'UnknownOperationException' });
      body = run(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
    } catch (error) {
      status = 400;
      const failure = /** @type {Error & { type?: string }} */ (error);
      body = { __type: `com.amazonaws.dynamodb.v20120810#${failure.type ?? 'ValidationException'}`, message: failure.message };
    }
    const text = JSON.stringify(body);
    // DynamoDB sends the body's CRC32; the Go SDK checks it (and logs a warning on every call without it).
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amz-crc32': String(crc32(text)),
    });
    response.end(text);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
