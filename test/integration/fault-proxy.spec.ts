import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Fault, FaultProxy } from '../support/fault-proxy.js';
import { useFixture, useTable } from '../support/fixture.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/test-endpoint.js';

/** The faults the linearizability harness relies on, checked against a real server behind the proxy. */
describe('the fault-injecting proxy', () => {
  const table = useTable();
  const fixture = useFixture();

  /** A client that makes one attempt per call, so that each call meets exactly one fault. */
  function oneAttemptClient(proxy: FaultProxy): DynamoDBClient {
    const client = new DynamoDBClient({ endpoint: proxy.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    fixture.defer(() => client.destroy());
    return client;
  }

  const put = (key: string, value: string) => new PutItemCommand({ TableName: table.name, Item: { pk: { S: key }, value: { S: value } } });

  async function stored(key: string): Promise<string | undefined> {
    const { Item } = await table.client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: key } }, ConsistentRead: true }));
    return Item?.value?.S;
  }

  it('reset-before-forward: the call fails and nothing reaches the server', async () => {
    const proxy = await fixture.faultProxy();
    proxy.inject({ operation: 'PutItem', fault: 'reset-before-forward', times: 1 });
    await expect(oneAttemptClient(proxy).send(put('before', 'v'))).rejects.toThrow();
    expect(await stored('before')).toBeUndefined();
  });

  it('reset-mid-body: the call fails while reading the answer, and the write was applied', async () => {
    const proxy = await fixture.faultProxy();
    proxy.inject({ operation: 'PutItem', fault: 'reset-mid-body', times: 1 });
    await expect(oneAttemptClient(proxy).send(put('mid-body', 'v'))).rejects.toThrow();
    expect(await stored('mid-body')).toBe('v');
  });

  it('delay: the answer comes late, and the write lands even when the client gave up waiting', async () => {
    const proxy = await fixture.faultProxy();
    proxy.inject({ operation: 'PutItem', fault: 'delay', times: 2 });
    const client = oneAttemptClient(proxy);
    const started = performance.now();
    await client.send(put('late', 'v'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);

    await expect(client.send(put('abandoned', 'v'), { abortSignal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect(await stored('abandoned')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stored('abandoned')).toBe('v');
  });

  it('unprocessed-random: writes a part of a batch, and answers exactly the rest as unprocessed', async () => {
    const proxy = await fixture.faultProxy();
    proxy.inject({ operation: 'BatchWriteItem', fault: 'unprocessed-random', times: 1 });
    const keys = Array.from({ length: 20 }, (_, index) => `batch-${index}`);
    const requests: WriteRequest[] = keys.map((key) => ({ PutRequest: { Item: { pk: { S: key }, value: { S: 'v' } } } }));
    const answer = await oneAttemptClient(proxy).send(new BatchWriteItemCommand({ RequestItems: { [table.name]: requests } }));

    const left = new Set((answer.UnprocessedItems?.[table.name] ?? []).map((request) => request.PutRequest?.Item?.pk?.S));
    expect(left.size).toBeGreaterThan(0);
    expect(left.size).toBeLessThan(keys.length);
    for (const key of keys) expect(await stored(key)).toBe(left.has(key) ? undefined : 'v');
  });

  describe('chaos', () => {
    /** Which of `count` sequential reads met a throttle, under chaos from `seed`. */
    async function throttledReads(seed: number, count: number): Promise<boolean[]> {
      const proxy = await fixture.faultProxy();
      proxy.chaos({ seed, rate: 0.5, faults: ['throttle'] satisfies Fault[] });
      const client = oneAttemptClient(proxy);
      const throttled: boolean[] = [];
      for (let index = 0; index < count; index += 1) {
        const failed = await client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'chaos' } } })).then(
          () => false,
          (error: unknown) => (error as Error).name === 'ProvisionedThroughputExceededException',
        );
        throttled.push(failed);
      }
      return throttled;
    }

    it('faults the given share of requests, the same ones again for the same seed', async () => {
      const first = await throttledReads(7, 40);
      expect(first.filter(Boolean).length).toBeGreaterThan(5);
      expect(first.filter(Boolean).length).toBeLessThan(35);
      expect(await throttledReads(7, 40)).toEqual(first);
      expect(await throttledReads(8, 40)).not.toEqual(first);
    });

    it('stops when calmed', async () => {
      const proxy = await fixture.faultProxy();
      proxy.chaos({ seed: 1, rate: 1, faults: ['http-500'] });
      const client = oneAttemptClient(proxy);
      const read = () => client.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'calm' } } }));
      await expect(read()).rejects.toThrow();
      proxy.calm();
      await expect(read()).resolves.toBeDefined();
    });
  });
});
