import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { jsonBody, mayHoldBinary } from '../../lib/client/data-plane/json-body.js';
import { leanPathBlocker } from '../../lib/client/data-plane/lean-eligibility.js';
import { leanOperationOf } from '../../lib/client/data-plane/lean-operations.js';
import { InvalidOptionsError } from '../../lib/index.js';
import { resolveSettings } from '../../lib/options/dynamo-kv.settings.js';

describe('the lean path: request bodies', () => {
  it('writes the input as JSON, binary values as base64 (Buffers too), null members left out', () => {
    const input = {
      TableName: 't',
      Item: { pk: { S: 'k' }, bytes: { B: Uint8Array.from([0, 1, 255]) }, buffer: { B: Buffer.from('hi') }, set: { BS: [Uint8Array.from([1])] }, gone: null },
      ReturnValues: undefined,
    };
    expect(JSON.parse(jsonBody(input))).toEqual({
      TableName: 't',
      Item: { pk: { S: 'k' }, bytes: { B: 'AAH/' }, buffer: { B: 'aGk=' }, set: { BS: ['AQ=='] } },
    });
  });

  it('writes a view into a larger buffer as its own bytes only', () => {
    const whole = Uint8Array.from([9, 9, 1, 2, 9]);
    expect(jsonBody({ B: whole.subarray(2, 4) })).toBe('{"B":"AQI="}');
  });

  it('tells answers that may hold binary values (read by the SDK protocol then) from those that cannot', () => {
    expect(mayHoldBinary('{"Item":{"pk":{"S":"k"},"v":{"B":"AQI="}}}')).toBe(true);
    expect(mayHoldBinary('{"Item":{"v":{"BS" : ["AQI="]}}}')).toBe(true);
    expect(mayHoldBinary('{"Item":{"pk":{"S":"k"},"v":{"S":"a \\"B\\": b"},"f":{"BOOL":true}}}')).toBe(false);
  });
});

describe('the lean path: which commands and which clients', () => {
  it('takes the store\'s item, batch and scan commands, and leaves everything else to the SDK', () => {
    expect(leanOperationOf(new GetItemCommand({ TableName: 't', Key: {} }))).toMatchObject({ name: 'GetItem', write: false });
    expect(leanOperationOf(new PutItemCommand({ TableName: 't', Item: {} }))).toMatchObject({ name: 'PutItem', write: true });
    expect(leanOperationOf(new DescribeTableCommand({ TableName: 't' }))).toBeUndefined();
    expect(leanOperationOf(undefined)).toBeUndefined();
  });

  it('serves a plain config, and keeps the SDK for what it would not honour exactly', () => {
    const plain = { region: 'us-east-1', endpoint: 'http://127.0.0.1:8000', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 5, requestHandler: { requestTimeout: 100 } };
    expect(leanPathBlocker(plain, {})).toBeUndefined();
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const handler = new NodeHttpHandler();
    try {
      expect(leanPathBlocker({ ...plain, logger }, {})).toBe('clientConfig.logger is set');
      expect(leanPathBlocker({ ...plain, retryStrategy: new ConfiguredRetryStrategy(3, 10) }, {})).toBe('clientConfig.retryStrategy is set');
      expect(leanPathBlocker({ ...plain, requestHandler: handler }, {})).toBe('clientConfig.requestHandler is a handler instance');
      expect(leanPathBlocker({ ...plain, endpoint: async () => ({ protocol: 'http:', hostname: 'h', path: '/' }) }, {})).toBe('the endpoint is not a URL');
      expect(leanPathBlocker(plain, { AWS_LAMBDA_FUNCTION_NAME: 'fn' })).toBe('the app runs in AWS Lambda');
    } finally {
      handler.destroy();
    }
  });
});

describe('the dataPlane option', () => {
  it("defaults to 'lean' for a client the store builds, and takes 'sdk'", () => {
    expect(resolveSettings({ table: 'tbl' }, 'default').client).toMatchObject({ owned: true, dataPlane: 'lean' });
    expect(resolveSettings({ table: 'tbl', dataPlane: 'sdk' }, 'default').client).toMatchObject({ owned: true, dataPlane: 'sdk' });
  });

  it("refuses anything else, and 'lean' with a client of the app's (whose requests go through it as it is)", () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    try {
      expect(() => resolveSettings({ table: 'tbl', dataPlane: 'fast' as never }, 'default')).toThrow(InvalidOptionsError);
      expect(() => resolveSettings({ table: 'tbl', dataPlane: 'fast' as never }, 'default')).toThrow(/dataPlane/);
      expect(() => resolveSettings({ table: 'tbl', client, dataPlane: 'lean' }, 'default')).toThrow(/dataPlane/);
      expect(resolveSettings({ table: 'tbl', client, dataPlane: 'sdk' }, 'default').client).toMatchObject({ owned: false });
    } finally {
      client.destroy();
    }
  });
});
