// @ts-check
/**
 * The Keyv rows of npm run bench: this package's KeyvKvStore (over the store, batching on) against
 * @keyv/dynamo, both through Keyv, get and set at 1 and 64 concurrent callers on the same server.
 * Keyv turns a failed get into a miss and a failed set into `false`, so every call checks its answer:
 * a failing adapter stops the benchmark instead of looking fast.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KeyvDynamo } from '@keyv/dynamo';
import { NestFactory } from '@nestjs/core';
import { Keyv } from 'keyv';
import { DynamoKvModule, KV_STORE } from 'nestjs-dynamodb-kv';
import { KeyvKvStore } from 'nestjs-dynamodb-kv/keyv';
import { median, measure } from './measure.mjs';
import { createTable } from './tables.mjs';

/** @typedef {import('./measure.mjs').RunResult} RunResult */
/** @typedef {{ op: 'get' | 'set', callers: number, variant: 'KeyvKvStore' | '@keyv/dynamo' }} KeyvCase */

/**
 * Keyv's get and set, failing on any answer but the expected one, and on any error Keyv reports.
 * @param {Keyv} keyv @param {string} name
 */
function checked(keyv, name) {
  /** @type {unknown[]} */
  const errors = [];
  keyv.on('error', (/** @type {unknown} */ error) => errors.push(error));
  const assertNoErrors = () => {
    if (errors.length > 0) throw new Error(`${name} reported ${errors.length} error(s) through Keyv`, { cause: errors[0] });
  };
  return {
    /** @param {string} key @param {string} value */
    async get(key, value) {
      const found = await keyv.get(key);
      if (found !== value) throw new Error(`${name}: get('${key}') answered ${JSON.stringify(found)}`, { cause: errors[0] });
    },
    /** @param {string} key @param {string} value */
    async set(key, value) {
      if (!(await keyv.set(key, value))) throw new Error(`${name}: set('${key}') failed`, { cause: errors[0] });
    },
    assertNoErrors,
  };
}

/**
 * Every Keyv case against one server, rounds interleaved; the median of each.
 * @param {{ endpoint: string, table: string, region: string, credentials: { accessKeyId: string, secretAccessKey: string }, keys: number, value: string, ops: number, rounds: number }} plan
 * @returns {Promise<Array<KeyvCase & RunResult>>}
 */
export async function benchKeyv({ endpoint, table, region, credentials, keys, value, ops, rounds }) {
  const app = await NestFactory.createApplicationContext(DynamoKvModule.forRoot({ table, endpoint, region, credentials }), { logger: false });
  /** @type {import('nestjs-dynamodb-kv').KVStore} */
  const store = app.get(KV_STORE);
  // @keyv/dynamo's table (key `id`) exists, as in production: it then only describes it at construction.
  const dynamoTable = `${table}-keyv-dynamo`;
  const tables = new DynamoDBClient({ endpoint, region, credentials });
  await createTable(tables, dynamoTable, 'id').finally(() => tables.destroy());
  const dynamo = new KeyvDynamo({ endpoint, region, credentials, tableName: dynamoTable });
  const adapters = {
    KeyvKvStore: checked(new Keyv({ store: new KeyvKvStore(store), namespace: 'bench' }), 'KeyvKvStore'),
    '@keyv/dynamo': checked(new Keyv({ store: dynamo, namespace: 'bench' }), '@keyv/dynamo'),
  };
  const key = (/** @type {number} */ index) => `keyv-key-${index % keys}`;
  try {
    for (const adapter of Object.values(adapters)) {
      for (let index = 0; index < keys; index += 1) await adapter.set(key(index), value);
      adapter.assertNoErrors();
    }
    /** @type {KeyvCase[]} */
    const cases = [];
    for (const op of /** @type {const} */ (['get', 'set'])) {
      for (const callers of [1, 64]) {
        for (const variant of /** @type {const} */ (['@keyv/dynamo', 'KeyvKvStore'])) cases.push({ op, callers, variant });
      }
    }
    /** @type {RunResult[][]} */
    const runs = cases.map(() => []);
    for (let round = 1; round <= rounds; round += 1) {
      for (const [index, { op, callers, variant }] of cases.entries()) {
        const adapter = adapters[variant];
        runs[index]?.push(await measure((i) => adapter[op](key(i), value), { ops, callers, warmup: 200 }));
        adapter.assertNoErrors();
      }
    }
    return cases.map((benchCase, index) => ({ ...benchCase, ...median(runs[index] ?? []) }));
  } finally {
    dynamo.client.destroy();
    await app.close();
  }
}

