import type { DynamoKvModuleForRootOptions } from '../../lib/index.js';
import { useFixture, useTable, type StoreApp } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { serverOptions } from '../support/store-options.js';
import { uniqueTableName } from '../support/test-endpoint.js';

const SECRET_VALUE = 'value-that-must-never-be-logged';
const CREDENTIALS = { accessKeyId: 'AKIDNEVERLOGGED', secretAccessKey: 'secret-key-never-logged' };

describe('store logs through Nest Logger', () => {
  const table = useTable();
  const fixture = useFixture();
  let capture: LogCapture;

  beforeEach(() => {
    capture = new LogCapture();
  });

  function startApp(options: DynamoKvModuleForRootOptions): Promise<StoreApp> {
    return fixture.storeApp({ ...options, credentials: CREDENTIALS }, capture);
  }

  function expectNoSecrets(): void {
    for (const line of capture.lines) {
      expect(line.text).not.toContain(SECRET_VALUE);
      expect(line.text).not.toContain(SECRET_VALUE.slice(0, 12));
      expect(line.text).not.toContain(CREDENTIALS.accessKeyId);
      expect(line.text).not.toContain(CREDENTIALS.secretAccessKey);
    }
  }

  it('logs no successful operation unless logOperations is on: busy services must not drown in lines', async () => {
    const { store } = await startApp(serverOptions(table.name));
    await store.set('logged-key', SECRET_VALUE);
    await store.get('logged-key');
    expect(capture.from('DynamoKvStore')).toEqual([]);
  });

  it('with logOperations, writes one debug line per operation with operation, table and duration; the key only there', async () => {
    const { store } = await startApp({ ...serverOptions(table.name), logOperations: true });
    await store.set('logged-key', SECRET_VALUE);
    await store.get('logged-key');
    await store.delete('logged-key');

    // The start-up check's DescribeTable is an operation too.
    const debug = capture.from('DynamoKvStore').filter((line) => line.level === 'debug' && !String(line.message).startsWith('kv health_check'));
    expect(debug.map((line) => line.message)).toEqual([
      expect.stringMatching(new RegExp(`^kv set success store=default table=${table.name} durationMs=[0-9.]+ key="logged-key"$`)),
      expect.stringMatching(/^kv get success .* key="logged-key"$/),
      expect.stringMatching(/^kv delete success .* key="logged-key"$/),
    ]);
    const aboveDebug = capture.lines.filter((line) => line.level !== 'debug');
    for (const line of aboveDebug) expect(line.text).not.toContain('logged-key');
    expectNoSecrets();
  });

  it('logs a batch by its size, never its keys', async () => {
    const { store } = await startApp({ ...serverOptions(table.name), logOperations: true });
    await store.setMany([['batch-key-1', SECRET_VALUE], ['batch-key-2', SECRET_VALUE]]);
    await store.getMany(['batch-key-1', 'batch-key-2', 'batch-key-3']);
    const lines = capture.from('DynamoKvStore').map((line) => line.message).filter((line) => !String(line).startsWith('kv health_check'));
    expect(lines).toEqual([expect.stringMatching(/^kv set_many success .* keyCount=2$/), expect.stringMatching(/^kv get_many success .* keyCount=3$/)]);
    for (const line of capture.lines) expect(line.text).not.toContain('batch-key');
    expectNoSecrets();
  });

  it('logs connecting and shutting down at log level', async () => {
    const { app } = await startApp(serverOptions(table.name));
    await app.close(); // the shutdown line is what this test reads
    const lifecycle = capture.lines.filter((line) => line.level === 'log').map((line) => String(line.message));
    expect(lifecycle).toEqual(
      expect.arrayContaining([
        `Store 'default' connects to table '${table.name}' in region 'us-east-1'.`,
        `Closed the DynamoDB client of store 'default' (table '${table.name}').`,
      ]),
    );
    expectNoSecrets();
  });

  it('logs a failure as one error line with operation, table, the error and its cause, and no value or key', async () => {
    const missing = uniqueTableName('missing');
    const { store } = await startApp({ ...serverOptions(missing), startupCheck: 'off' });
    await expect(store.set('failing-key', SECRET_VALUE)).rejects.toThrow();

    const errors = capture.from('DynamoKvStore').filter((line) => line.level === 'error');
    expect(errors.map((line) => line.message)).toEqual([
      expect.stringMatching(
        new RegExp(`^kv set failed \\(table_not_found\\) store=default table=${missing} durationMs=[0-9.]+: TableNotFoundError: Table '${missing}' was not found.*; cause: ResourceNotFoundException: `),
      ),
    ]);
    expect(String(errors[0]!.message)).not.toContain('\n');
    expect(errors[0]!.text).not.toContain('failing-key');
    expectNoSecrets();
  });

  it("logs a caller's bad input as one warn line without the value", async () => {
    const { store } = await startApp(serverOptions(table.name));
    await expect(store.set('k', SECRET_VALUE.repeat(20_000))).rejects.toThrow();
    const warnings = capture.from('DynamoKvStore').filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.message)).toEqual([expect.stringMatching(/^kv set failed \(item_too_large\) .*: ItemTooLargeError: /)]);
    expectNoSecrets();
  });
});
