import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { CallSignal } from '../../lib/client/call-signal.js';
import { clientFor, SendFailure, type StoreClient } from '../../lib/client/store-client.js';
import { KvOutcomeUnknownError, KvStoreError } from '../../lib/index.js';
import type { DataPlane } from '../../lib/options/dynamo-kv.options.js';
import { resolveSettings } from '../../lib/options/dynamo-kv.settings.js';
import { startCheckingProxy, type CheckingProxy, type ScriptedAnswer } from '../support/checking-proxy.js';
import { useFixture, useTable, type Fixture } from '../support/fixture.js';
import { optionsAt } from '../support/store-options.js';
import { TEST_CREDENTIALS, TEST_REGION, testEndpoint } from '../support/test-endpoint.js';

const PATHS: DataPlane[] = ['sdk', 'lean'];
const SECRETS = { [TEST_CREDENTIALS.accessKeyId]: TEST_CREDENTIALS.secretAccessKey };
/** One attempt per call, so that each scripted answer meets exactly one call. */
const ONE_ATTEMPT = { maxAttempts: 1 };

type Sent = { output: Record<string, unknown> } | { failure: SendFailure };

async function checkingProxy(fixture: Fixture, secrets: Record<string, string> = SECRETS): Promise<CheckingProxy> {
  const proxy = await startCheckingProxy(testEndpoint(), secrets);
  fixture.defer(() => proxy.close());
  return proxy;
}

/** The store's client layer (what every store request goes through), on `dataPlane`, at `endpoint`. */
function storeClient(fixture: Fixture, endpoint: string, table: string, dataPlane: DataPlane, clientConfig?: Record<string, unknown>): StoreClient {
  const client = clientFor(resolveSettings({ ...optionsAt(endpoint, table, clientConfig), dataPlane }, 'lean-test').client);
  fixture.defer(() => client.client.destroy());
  expect(client.dataPlane).toBe(dataPlane);
  return client;
}

async function send(client: StoreClient, command: object): Promise<Sent> {
  const signal = new CallSignal();
  const bound = setTimeout(() => signal.abort(new Error('No answer within 10 s.')), 10_000);
  try {
    const output = await client.send((sdk) => sdk.send(command as GetItemCommand), signal);
    return { output: output as unknown as Record<string, unknown> };
  } catch (error) {
    if (error instanceof SendFailure) return { failure: error };
    throw error;
  } finally {
    clearTimeout(bound);
  }
}

/** What must be equal between the paths: everything, the request id (new for every request) aside. */
function comparable(sent: Sent): unknown {
  if ('output' in sent) return { ...sent.output, $metadata: withoutRequestId(sent.output.$metadata) };
  const cause = sent.failure.cause as Error & Record<string, unknown>;
  return {
    mayHaveApplied: sent.failure.mayHaveApplied,
    class: cause.constructor,
    name: cause.name,
    message: cause.message,
    fields: Object.fromEntries(Object.entries(cause).map(([name, value]) => [name, name === '$metadata' ? withoutRequestId(value) : value])),
  };
}

function withoutRequestId(metadata: unknown): unknown {
  const { requestId, ...rest } = metadata as Record<string, unknown>;
  return { ...rest, requestId: requestId === undefined ? undefined : 'present' };
}

const item = (key: string): Record<string, AttributeValue> => ({
  pk: { S: key },
  value: { S: 'v' },
  count: { N: '42' },
  bytes: { B: Uint8Array.from([0, 1, 2, 250]) },
  byteSet: { BS: [Uint8Array.from([1]), Uint8Array.from([2, 3])] },
  strings: { SS: ['a', 'b'] },
  numbers: { NS: ['1', '2.5'] },
  list: { L: [{ S: 'x' }, { B: Uint8Array.from([9]) }, { NULL: true }] },
  map: { M: { nested: { BOOL: false }, deep: { M: { b: { B: Uint8Array.from([7]) } } } } },
});

describe('the lean data-plane path: what it sends and answers is what the SDK sends and answers', () => {
  const table = useTable();
  const fixture = useFixture();

  /** Sends `command` through the SDK path, then the lean path (each after `reset`), and returns both. */
  async function bothPaths(proxy: CheckingProxy, command: () => object, reset: () => Promise<unknown> = async () => undefined, answer?: ScriptedAnswer) {
    const results: Sent[] = [];
    for (const path of PATHS) {
      const client = storeClient(fixture, proxy.endpoint, table.name, path, ONE_ATTEMPT);
      await reset();
      if (answer !== undefined) proxy.script(answer);
      results.push(await send(client, command()));
    }
    return results;
  }

  it('answers every lean operation with the output the SDK gives: binary values as bytes, metadata, consumed capacity, unprocessed and last keys', async () => {
    const proxy = await checkingProxy(fixture);
    const setup = storeClient(fixture, testEndpoint(), table.name, 'sdk');
    const put = () => send(setup, new PutItemCommand({ TableName: table.name, Item: item('same') }));
    const cases: Array<[string, () => object]> = [
      ['GetItem', () => new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'same' } }, ReturnConsumedCapacity: 'TOTAL' })],
      ['GetItem of a missing key', () => new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'missing' } } })],
      ['PutItem', () => new PutItemCommand({ TableName: table.name, Item: item('same'), ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' })],
      [
        'UpdateItem',
        () =>
          new UpdateItemCommand({
            TableName: table.name,
            Key: { pk: { S: 'same' } },
            UpdateExpression: 'SET #v = :v',
            ExpressionAttributeNames: { '#v': 'value' },
            ExpressionAttributeValues: { ':v': { S: 'updated' } },
            ReturnValues: 'ALL_NEW',
          }),
      ],
      ['DeleteItem', () => new DeleteItemCommand({ TableName: table.name, Key: { pk: { S: 'same' } }, ReturnValues: 'ALL_OLD' })],
      [
        'BatchGetItem',
        () => new BatchGetItemCommand({ RequestItems: { [table.name]: { Keys: [{ pk: { S: 'same' } }, { pk: { S: 'missing' } }] } }, ReturnConsumedCapacity: 'TOTAL' }),
      ],
      [
        'BatchWriteItem',
        () =>
          new BatchWriteItemCommand({
            RequestItems: { [table.name]: [{ PutRequest: { Item: item('same') } }, { DeleteRequest: { Key: { pk: { S: 'other' } } } }] },
            ReturnConsumedCapacity: 'TOTAL',
          }),
      ],
      ['Scan', () => new ScanCommand({ TableName: table.name, Limit: 1 })],
    ];
    for (const [name, command] of cases) {
      const [sdk, lean] = await bothPaths(proxy, command, put);
      expect({ name, ...(comparable(lean!) as object) }).toEqual({ name, ...(comparable(sdk!) as object) });
    }
    const found = await send(storeClient(fixture, proxy.endpoint, table.name, 'lean'), cases[0]![1]());
    expect('output' in found && found.output.Item).toMatchObject({ bytes: { B: Uint8Array.from([0, 1, 2, 250]) } });
    expect(proxy.refused).toEqual([]);
  });

  const errorCases: Array<[string, ScriptedAnswer | (() => object)]> = [
    [
      'ConditionalCheckFailedException, with the item',
      {
        status: 400,
        body: JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
          Item: { pk: { S: 'k' }, value: { S: 'v' }, bytes: { B: 'AQI=' } },
        }),
      },
    ],
    ['ProvisionedThroughputExceededException', { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' }) }],
    ['ThrottlingException', { status: 400, body: JSON.stringify({ __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded' }) }],
    ['RequestLimitExceeded', { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#RequestLimitExceeded', message: 'Throughput exceeds the account limit' }) }],
    ['AccessDeniedException', { status: 400, body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: 'not authorized' }) }],
    ['an error type the SDK does not know', { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#SomethingNewException', message: 'new' }) }],
    ['InternalServerError', { status: 500, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'oops' }) }],
    ['a 500 with an HTML body', { status: 500, headers: { 'content-type': 'text/html' }, body: '<html><body>502 Bad Gateway</body></html>' }],
    ['a 200 whose body does not parse', { status: 200, body: '{"Item": {' }],
    ['ResourceNotFoundException (the server)', () => new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'k' } } })],
    ['ValidationException (the server)', () => new GetItemCommand({ TableName: table.name, Key: { pk: { S: '' } } })],
  ];

  it.each(errorCases)('fails with the error the SDK raises: %s', async (_name, answerOrCommand) => {
    const proxy = await checkingProxy(fixture);
    const scripted = typeof answerOrCommand === 'function' ? undefined : answerOrCommand;
    const command = typeof answerOrCommand === 'function' ? answerOrCommand : () => new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'k' }, value: { S: 'v' } } });
    const [sdk, lean] = await bothPaths(proxy, command, undefined, scripted);
    expect('failure' in lean!).toBe(true);
    expect(comparable(lean!)).toEqual(comparable(sdk!));
    expect(proxy.refused).toEqual([]);
  });

  it('raises the SDK classes the store tells apart: ConditionalCheckFailedException (with its item, bytes as bytes), ResourceNotFoundException, DynamoDBServiceException', async () => {
    const proxy = await checkingProxy(fixture);
    const lean = storeClient(fixture, proxy.endpoint, table.name, 'lean', ONE_ATTEMPT);
    proxy.script(errorCases[0]![1] as ScriptedAnswer, errorCases[5]![1] as ScriptedAnswer);
    const conditional = await send(lean, new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'k' } } }));
    const unknown = await send(lean, new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'k' } } }));
    const missing = await send(lean, new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'k' } } }));
    const causeOf = (sent: Sent) => ('failure' in sent ? sent.failure.cause : undefined);
    expect(causeOf(conditional)).toBeInstanceOf(ConditionalCheckFailedException);
    expect((causeOf(conditional) as ConditionalCheckFailedException).Item).toEqual({ pk: { S: 'k' }, value: { S: 'v' }, bytes: { B: Uint8Array.from([1, 2]) } });
    expect(causeOf(unknown)).toBeInstanceOf(DynamoDBServiceException);
    expect(causeOf(unknown)).toMatchObject({ name: 'SomethingNewException', $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(causeOf(missing)).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('the lean data-plane path: retries, resends and damaged answers', () => {
  const table = useTable();
  const fixture = useFixture();

  const throttled: ScriptedAnswer = {
    status: 400,
    body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' }),
  };
  const damaged: ScriptedAnswer = { status: 200, headers: { 'x-amz-crc32': '12345' }, body: '{}' };
  const put = (name: string) => new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, value: { S: 'v' } } });
  const get = (name: string) => new GetItemCommand({ TableName: name, Key: { pk: { S: 'k' } } });

  it.each(PATHS)('retries throttling with the SDK strategy, a write included (throttling refused it), and counts the attempts (%s path)', async (path) => {
    const proxy = await checkingProxy(fixture);
    const client = storeClient(fixture, proxy.endpoint, table.name, path);
    proxy.script(throttled, throttled);
    const written = await send(client, put(table.name));
    proxy.script(throttled);
    const read = await send(client, get(table.name));
    expect(written).toMatchObject({ output: { $metadata: { httpStatusCode: 200, attempts: 3, totalRetryDelay: expect.any(Number) } } });
    expect(read).toMatchObject({ output: { Item: { value: { S: 'v' } }, $metadata: { attempts: 2 } } });
    expect(proxy.seen.map(({ operation }) => operation)).toEqual(['PutItem', 'PutItem', 'PutItem', 'GetItem', 'GetItem']);
  });

  it.each(PATHS)('stops at maxAttempts and fails with the last error, its attempts counted (%s path)', async (path) => {
    const proxy = await checkingProxy(fixture);
    const client = storeClient(fixture, proxy.endpoint, table.name, path, { maxAttempts: 2 });
    proxy.script(throttled, throttled, throttled);
    const sent = await send(client, get(table.name));
    expect('failure' in sent && sent.failure.cause).toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { attempts: 2 } });
    expect('failure' in sent && sent.failure.mayHaveApplied).toBe(false);
    expect(proxy.seen).toHaveLength(2);
  });

  it.each(PATHS)('never resends a write after a reset once forwarded or a 5xx (it may have been applied), and resends a read (%s path)', async (path) => {
    const proxy = await fixture.faultProxy();
    const client = storeClient(fixture, proxy.endpoint, table.name, path);
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    proxy.inject({ operation: 'DeleteItem', fault: 'http-500', times: 1 });
    proxy.inject({ operation: 'GetItem', fault: 'reset-after-forward', times: 1 });
    const written = await send(client, put(table.name));
    const deleted = await send(client, new DeleteItemCommand({ TableName: table.name, Key: { pk: { S: 'k' } } }));
    const read = await send(client, get(table.name));
    expect('failure' in written && written.failure.mayHaveApplied).toBe(true);
    expect(String('failure' in written && written.failure.cause)).toMatch(/socket hang up/);
    expect('failure' in deleted && deleted.failure.mayHaveApplied).toBe(true);
    expect(read).toMatchObject({ output: { $metadata: { attempts: 2 } } });
    expect([proxy.requests('PutItem'), proxy.requests('DeleteItem'), proxy.requests('GetItem')]).toEqual([1, 1, 2]);
  });

  it("reads an answer whose body does not match its x-amz-crc32 as damaged: a read is resent, a write is not (it was answered 200); dynalite's own checksums pass", async () => {
    const proxy = await checkingProxy(fixture);
    const client = storeClient(fixture, proxy.endpoint, table.name, 'lean');
    await send(client, put(table.name));
    proxy.script(damaged);
    const read = await send(client, get(table.name));
    proxy.script(damaged);
    const written = await send(client, put(table.name));
    expect(read).toMatchObject({ output: { Item: { value: { S: 'v' } }, $metadata: { attempts: 2 } } });
    expect('failure' in written && written.failure.mayHaveApplied).toBe(true);
    expect('failure' in written && written.failure.cause).toMatchObject({ name: 'CRC32CheckFailed', $metadata: { httpStatusCode: 200, attempts: 1 } });
    expect(proxy.seen.map(({ operation }) => operation)).toEqual(['PutItem', 'GetItem', 'GetItem', 'PutItem']);
    // The first put and the resent get were dynalite's own answers, with its checksums.
    expect([proxy.seen[0]!.answered?.['x-amz-crc32'], proxy.seen[2]!.answered?.['x-amz-crc32']]).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]);
  });

  it.each(PATHS)('signs at the server\'s time once the server said the clock is off, and retries the refused attempt (%s path)', async (path) => {
    const proxy = await checkingProxy(fixture);
    const client = storeClient(fixture, proxy.endpoint, table.name, path);
    const serverTime = new Date(Date.now() + 10 * 60_000);
    proxy.script({
      status: 400,
      headers: { date: serverTime.toUTCString() },
      body: JSON.stringify({ __type: 'com.amazon.coral.service#InvalidSignatureException', message: 'Signature expired: the request is now earlier than the server time' }),
    });
    await expect(send(client, get(table.name))).resolves.toMatchObject({ output: { $metadata: { attempts: 2 } } });
    const [first, second] = proxy.seen.map(({ headers }) => amzDateMs(String(headers['x-amz-date'])));
    expect(second! - first!).toBeGreaterThan(9 * 60_000);
  });
});

describe('the lean data-plane path in a store', () => {
  const table = useTable();
  const fixture = useFixture();

  afterEach(() => jest.restoreAllMocks());

  const LEAN_COMMANDS = [GetItemCommand, PutItemCommand, DeleteItemCommand, UpdateItemCommand, BatchGetItemCommand, BatchWriteItemCommand, ScanCommand];

  async function useEveryOperation(store: import('../../lib/index.js').KVStore): Promise<void> {
    await store.set('a', '1');
    await store.setMany([
      ['b', '2'],
      ['c', '3'],
    ]);
    await expect(store.get('a')).resolves.toBe('1');
    await expect(store.getMany(['a', 'b', 'missing'])).resolves.toEqual(new Map([['a', '1'], ['b', '2']]));
    await expect(store.setIfAbsent('d', '4')).resolves.toBe(true);
    await expect(store.compareAndSwap('d', '4', '5')).resolves.toBe(true);
    await expect(store.increment('n', 2)).resolves.toBe(2);
    await store.delete('c');
    await store.deleteMany(['b']);
    const keys: string[] = [];
    for await (const page of store.listKeys()) keys.push(...page);
    expect(keys.sort()).toEqual(['a', 'd', 'n']);
  }

  it('sends every item, batch and scan request without the SDK middleware, signed as DynamoDB checks it, with credentials the SDK refreshes', async () => {
    const secrets = { rotating1: 'secret1', rotating2: 'secret2', rotating3: 'secret3' };
    const proxy = await checkingProxy(fixture, { ...SECRETS, ...secrets });
    let issued = 0;
    // Credentials that expire within the SDK's five-minute refresh window: the SDK's provider fetches new ones for each request.
    const credentials = async () => {
      const id = `rotating${(issued++ % 3) + 1}` as keyof typeof secrets;
      return { accessKeyId: id, secretAccessKey: secrets[id], expiration: new Date(Date.now() + 60_000) };
    };
    const resolved = LEAN_COMMANDS.map((command) => jest.spyOn(command.prototype, 'resolveMiddleware'));
    const { store } = await fixture.storeApp({ table: table.name, endpoint: proxy.endpoint, region: TEST_REGION, credentials, startupCheck: 'off' });
    await useEveryOperation(store);
    for (const spy of resolved) expect(spy).not.toHaveBeenCalled();
    expect(proxy.refused).toEqual([]);
    const operations = new Set(proxy.seen.map(({ operation }) => operation));
    expect([...operations].sort()).toEqual(['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Scan', 'UpdateItem']);
    // Each request signs with the credentials fetched for it: two gets in a row carry different keys.
    await store.get('a');
    await store.get('a');
    const [before, last] = proxy.seen.filter(({ operation }) => operation === 'GetItem').slice(-2);
    expect(before!.accessKeyId).not.toBe(last!.accessKeyId);
    expect(new Set(proxy.seen.map(({ accessKeyId }) => accessKeyId))).toEqual(new Set(Object.keys(secrets)));
  });

  it('is refused by the signature check with a wrong secret (the check can fail)', async () => {
    const proxy = await checkingProxy(fixture);
    const { store } = await fixture.storeApp({
      ...optionsAt(proxy.endpoint, table.name),
      credentials: { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
      startupCheck: 'off',
    });
    const error = await store.get('a').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvStoreError);
    expect((error as Error).cause).toMatchObject({ name: 'InvalidSignatureException' });
    expect(proxy.refused).toEqual(['the signature does not match the request']);
  });

  it("sends through the SDK with dataPlane: 'sdk', and with a client setting the lean path would not honour", async () => {
    const resolve = jest.spyOn(GetItemCommand.prototype, 'resolveMiddleware');
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    for (const options of [{ dataPlane: 'sdk' as const }, { clientConfig: { logger } }]) {
      const { store } = await fixture.storeApp({ ...optionsAt(testEndpoint(), table.name), ...options, batching: false, startupCheck: 'off' });
      await store.get('a');
    }
    expect(resolve).toHaveBeenCalledTimes(2);
  });

  it('finds the endpoint through the SDK (AWS_ENDPOINT_URL_DYNAMODB here) and tells a write that may have been applied from one that was not', async () => {
    const proxy = await fixture.faultProxy();
    const previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
    fixture.defer(() => {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;
    });
    const { store } = await fixture.storeApp({ table: table.name, region: TEST_REGION, credentials: TEST_CREDENTIALS, batching: false, startupCheck: 'off' });
    proxy.inject({ operation: 'PutItem', fault: 'reset-after-forward', times: 1 });
    await expect(store.set('env', 'v')).rejects.toBeInstanceOf(KvOutcomeUnknownError);
    proxy.inject({ operation: 'PutItem', fault: 'throttle', times: 1 });
    await expect(store.set('env', 'w')).resolves.toBeUndefined();
    await expect(store.get('env')).resolves.toBe('w');
    expect(proxy.requests('PutItem')).toBe(3);
  });
});

/** `x-amz-date` (20240102T030405Z) as epoch milliseconds. */
function amzDateMs(amzDate: string): number {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}
