import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { KeyNotFoundError, type KVStore } from '../../lib/index.js';
import { useFixture } from '../support/fixture.js';
import { serverOptions } from '../support/store-options.js';
import { uniqueTableName, type TestTable } from '../support/test-endpoint.js';

describe('OpenTelemetry spans', () => {
  const shared = useFixture('all');
  const fixture = useFixture();
  const exporter = new InMemorySpanExporter();
  let store: KVStore;
  let table: TestTable;

  beforeAll(async () => {
    // What an app's OpenTelemetry SDK set-up does; without it the store's spans are no-ops.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    shared.defer(() => {
      trace.disable();
      context.disable();
    });
    table = await shared.table();
    // No start-up check: its span would land in whichever test runs first.
    store = (await shared.storeApp({ ...serverOptions(table.name), startupCheck: 'off' })).store;
  });

  beforeEach(() => exporter.reset());

  it('opens one client span per operation, a child of the active span, with database attributes', async () => {
    const tracer = trace.getTracer('test');
    const parentId = await tracer.startActiveSpan('handle request', async (parent) => {
      await store.set('traced', 'v');
      await store.get('traced');
      await store.delete('traced');
      await store.healthCheck();
      parent.end();
      return parent.spanContext().spanId;
    });

    const spans = exporter.getFinishedSpans().filter((span) => span.name.startsWith('kv.'));
    expect(spans.map((span) => span.name)).toEqual(['kv.set', 'kv.get', 'kv.delete', 'kv.health_check']);
    expect(spans.map((span) => span.attributes['db.operation.name'])).toEqual([
      'PutItem',
      'GetItem',
      'DeleteItem',
      'DescribeTable',
    ]);
    for (const span of spans) {
      expect(span.parentSpanContext?.spanId).toBe(parentId);
      expect(span.attributes).toMatchObject({ 'db.system.name': 'aws.dynamodb', 'aws.dynamodb.table_names': [table.name] });
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
  });

  it('names the DynamoDB call of every data operation', async () => {
    await store.setMany([['batch', '1']]);
    await store.getMany(['batch']);
    await store.setIfAbsent('batch', '2');
    await store.compareAndSwap('batch', '1', '2');
    await store.setJson('batch-json', { a: 1 });
    await store.getJson('batch-json');
    await store.deleteMany(['batch']);
    const spans = exporter.getFinishedSpans().map((span) => [span.name, span.attributes['db.operation.name']]);
    expect(spans).toEqual([
      ['kv.set_many', 'BatchWriteItem'],
      ['kv.get_many', 'BatchGetItem'],
      ['kv.set_if_absent', 'PutItem'],
      ['kv.compare_and_swap', 'PutItem'],
      ['kv.set_json', 'PutItem'],
      ['kv.get_json', 'GetItem'],
      ['kv.delete_many', 'BatchWriteItem'],
    ]);
  });

  it('sends a batch of several callers in a root span of its own, linked to each caller\'s span, outside every caller\'s context', async () => {
    const tracer = trace.getTracer('test');
    const inRequest = (name: string, key: string) =>
      tracer.startActiveSpan(name, async (parent) => {
        await store.get(key).catch(() => undefined);
        parent.end();
        return parent.spanContext().spanId;
      });
    const callers = await Promise.all([inRequest('request A', 'batch-a'), inRequest('request B', 'batch-b'), inRequest('request C', 'batch-c')]);
    const spans = exporter.getFinishedSpans();
    const batch = spans.find((span) => span.name === 'kv.batch BatchGetItem');
    // Request A started the batch: a child span of A would put B's and C's reads in A's trace.
    expect(batch?.parentSpanContext).toBeUndefined();
    const linkedGets = batch?.links.map((link) => spans.find((span) => span.spanContext().spanId === link.context.spanId));
    expect(linkedGets?.map((span) => span?.name)).toEqual(['kv.get', 'kv.get', 'kv.get']);
    expect(linkedGets?.map((span) => span?.parentSpanContext?.spanId).sort()).toEqual([...callers].sort());
    expect(batch?.attributes).toMatchObject({ 'db.operation.name': 'BatchGetItem', 'db.operation.batch.size': 3 });
  });

  it('starts a root span when no span is active', async () => {
    await store.set('root', 'v');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('kv.set');
    expect(span?.parentSpanContext).toBeUndefined();
  });

  it('does not mark a missing key as an error', async () => {
    await expect(store.get('absent')).rejects.toBeInstanceOf(KeyNotFoundError);
    expect(exporter.getFinishedSpans()[0]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('sets error status and records the exception on failure', async () => {
    const missing = await fixture.storeApp(serverOptions(uniqueTableName('missing')));
    await expect(missing.store.set('k', 'v')).rejects.toThrow();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('was not found') });
    expect(span?.attributes['error.type']).toBe('TableNotFoundError');
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
    expect(span?.events[0]?.attributes?.['exception.type']).toBe('TableNotFoundError');
  });
});
