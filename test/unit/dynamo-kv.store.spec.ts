import {
  DynamoDBServiceException,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  DynamoKvStore,
  InvalidKeyError,
  InvalidValueError,
  ItemTooLargeError,
  KvThrottledError,
  type DynamoKvModuleOptions,
} from '../../lib/index.js';
import { SendFailure } from '../../lib/client/store-client.js';
import { OperationObserver } from '../../lib/observability/operation-observer.js';
import { resolveSettings } from '../../lib/options/dynamo-kv.settings.js';

/** A client whose send and destroy are recorded; only for what a real server cannot produce on demand. */
function stubClient(send: (command: unknown) => Promise<unknown>) {
  const calls: unknown[] = [];
  const client = {
    send: jest.fn(async (command: unknown) => {
      calls.push(command);
      return send(command);
    }),
    destroy: jest.fn(),
  };
  return { client, calls, asClient: client as unknown as DynamoDBClient };
}

function storeWith(client: DynamoDBClient, options: Partial<DynamoKvModuleOptions> = {}, owned = true) {
  const settings = resolveSettings({ table: 'unit', healthCheck: { cacheTtlMs: 0 }, metrics: { enabled: false }, ...options }, 'default');
  const region = 'us-east-1';
  const observer = new OperationObserver({ name: 'default', table: 'unit', region }, undefined, undefined);
  const storeClient = {
    client,
    owned,
    send: async <T>(call: (sdk: DynamoDBClient, options: undefined) => Promise<T>) => {
      try {
        return await call(client, undefined);
      } catch (error) {
        throw new SendFailure(error, false);
      }
    },
  };
  return new DynamoKvStore(settings, { client: storeClient, region }, observer);
}

describe('DynamoKvStore (stubbed client)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new Logger()));
  it('raises validation errors before any network call', async () => {
    const { calls, asClient } = stubClient(async () => ({}));
    const store = storeWith(asClient);
    await expect(store.get('')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.delete('€'.repeat(683))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.set('k', 1 as unknown as string)).rejects.toBeInstanceOf(InvalidValueError);
    await expect(store.set('k', 'x'.repeat(409_600))).rejects.toBeInstanceOf(ItemTooLargeError);
    expect(calls).toHaveLength(0);
  });

  it('wraps throttling that outlasted the SDK retries in KvThrottledError with operation, table and cause', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
    const { asClient } = stubClient(async () => {
      throw throttled;
    });
    const error = await storeWith(asClient).set('k', 'private value').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KvThrottledError);
    expect(error).toMatchObject({ name: 'KvThrottledError', code: 'THROTTLED', operation: 'set', table: 'unit' });
    expect((error as Error).cause).toBe(throttled);
    expect((error as Error).message).toBe("DynamoDB throttled set on table 'unit' through every retry; nothing was changed.");
    expect((error as Error).message).not.toContain('private value');
  });

  it('reports health DOWN, saying why, when DynamoDB refuses the credentials', async () => {
    // dynalite and DynamoDB Local accept any credentials, so only a stub can produce this answer.
    const refused = new DynamoDBServiceException({
      name: 'UnrecognizedClientException',
      $fault: 'client',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 400 },
    });
    const { asClient } = stubClient(async () => {
      throw refused;
    });
    const health = await storeWith(asClient).healthCheck();
    expect(health).toMatchObject({ status: 'DOWN', details: { table: 'unit', region: 'us-east-1' } });
    expect(health.details.error).toBe("DynamoDB refused health_check on table 'unit' (UnrecognizedClientException).");
  });

  it('asks for a strongly consistent read when consistentRead is set', async () => {
    const { calls, asClient } = stubClient(async () => ({ Item: { pk: { S: 'k' }, value: { S: 'v' } } }));
    await expect(storeWith(asClient, { consistentRead: true }).get('k')).resolves.toBe('v');
    expect(calls[0]).toBeInstanceOf(GetItemCommand);
    expect((calls[0] as GetItemCommand).input.ConsistentRead).toBe(true);
  });

  it('logs, and does not throw, when destroying its client fails', () => {
    const { client, asClient } = stubClient(async () => ({}));
    client.destroy.mockImplementation(() => {
      throw new Error('socket already gone');
    });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(() => storeWith(asClient).close()).not.toThrow();
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('socket already gone'));
    logged.mockRestore();
  });

  it('does not destroy a client it does not own', () => {
    const { client, asClient } = stubClient(async () => ({}));
    storeWith(asClient, {}, false).close();
    expect(client.destroy).not.toHaveBeenCalled();
  });
});
