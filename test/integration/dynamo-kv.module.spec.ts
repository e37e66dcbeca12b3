import { testingModule } from '../support/testing-module.js';
import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { Inject, Injectable, Module, type ModuleMetadata } from '@nestjs/common';
import {
  DynamoKvModule,
  InjectKvStore,
  KV_STORE,
  KeyNotFoundError,
  getKvStoreToken,
  type DynamoKvModuleOptions,
  type DynamoKvOptionsFactory,
  type KVStore,
} from '../../lib/index.js';
import { serverOptions, startStoreApp } from '../support/store-app.js';
import { createTestTable, testClient, type TestTable } from '../support/test-endpoint.js';

const CONFIG = Symbol('CONFIG');

describe('DynamoKvModule', () => {
  let table: TestTable;
  let otherTable: TestTable;

  beforeAll(async () => {
    table = await createTestTable();
    otherTable = await createTestTable();
  });

  afterAll(async () => {
    await table.drop();
    await otherTable.drop();
  });

  describe('forRoot', () => {
    it('stores the value under the partition key in the value attribute, as plain strings', async () => {
      const { app, store } = await startStoreApp(serverOptions(table.name));
      await store.set('raw-check', 'raw value');
      const { Item } = await table.client.send(
        new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'raw-check' } }, ConsistentRead: true }),
      );
      expect(Item).toEqual({ pk: { S: 'raw-check' }, value: { S: 'raw value' } });
      await app.close();
    });

    it('uses custom partitionKeyName and valueAttributeName', async () => {
      const custom = await createTestTable({ partitionKeyName: 'id' });
      const { app, store } = await startStoreApp({
        ...serverOptions(custom.name),
        partitionKeyName: 'id',
        valueAttributeName: 'data',
        consistentRead: true,
      });
      await store.set('custom', 'v');
      const { Item } = await custom.client.send(new GetItemCommand({ TableName: custom.name, Key: { id: { S: 'custom' } } }));
      expect(Item).toEqual({ id: { S: 'custom' }, data: { S: 'v' } });
      await expect(store.get('custom')).resolves.toBe('v');
      await app.close();
      await custom.drop();
    });

    it('treats an item without a string value attribute as missing', async () => {
      const { app, store } = await startStoreApp(serverOptions(table.name));
      await table.client.send(new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'no-value' } } }));
      await table.client.send(
        new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'number-value' }, value: { N: '42' } } }),
      );
      await expect(store.get('no-value')).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(store.get('number-value')).rejects.toBeInstanceOf(KeyNotFoundError);
      await app.close();
    });
  });

  describe('forRootAsync', () => {
    @Module({ providers: [{ provide: CONFIG, useFactory: () => ({ table: table.name }) }], exports: [CONFIG] })
    class ConfigModule {}

    @Injectable()
    class KvOptions implements DynamoKvOptionsFactory {
      create(): DynamoKvModuleOptions {
        return serverOptions(table.name);
      }
    }

    @Module({ providers: [KvOptions], exports: [KvOptions] })
    class KvOptionsModule {}

    async function storeOf(imports: ModuleMetadata['imports']): Promise<KVStore> {
      const app = await (await testingModule({ imports }).compile()).init();
      const store = app.get<KVStore>(KV_STORE);
      await store.set('async', 'configured');
      await expect(store.get('async')).resolves.toBe('configured');
      await app.close();
      return store;
    }

    it('builds options with useFactory and inject', async () => {
      const factory = jest.fn((config: { table: string }) => serverOptions(config.table));
      await storeOf([DynamoKvModule.forRootAsync({ imports: [ConfigModule], inject: [CONFIG], useFactory: factory })]);
      expect(factory).toHaveBeenCalledWith({ table: table.name });
    });

    it('builds options with useClass', async () => {
      await storeOf([DynamoKvModule.forRootAsync({ useClass: KvOptions })]);
    });

    it('builds options with useExisting', async () => {
      await storeOf([DynamoKvModule.forRootAsync({ imports: [KvOptionsModule], useExisting: KvOptions })]);
    });
  });

  describe('named stores', () => {
    @Injectable()
    class TwoStores {
      constructor(
        @Inject(KV_STORE) readonly main: KVStore,
        @InjectKvStore('sessions') readonly sessions: KVStore,
      ) {}
    }

    it('serves two stores on two tables side by side', async () => {
      const moduleRef = await testingModule({
        imports: [
          DynamoKvModule.forRoot(serverOptions(table.name)),
          DynamoKvModule.forRootAsync({ name: 'sessions', useFactory: () => serverOptions(otherTable.name) }),
        ],
        providers: [TwoStores],
      }).compile();
      const app = await moduleRef.init();
      const { main, sessions } = app.get(TwoStores);
      expect(main).not.toBe(sessions);
      expect(app.get(getKvStoreToken('sessions'))).toBe(sessions);
      expect(app.get(getKvStoreToken())).toBe(main);

      await main.set('shared-key', 'in main');
      await sessions.set('shared-key', 'in sessions');
      await expect(main.get('shared-key')).resolves.toBe('in main');
      await expect(sessions.get('shared-key')).resolves.toBe('in sessions');
      const inOther = await otherTable.client.send(
        new GetItemCommand({ TableName: otherTable.name, Key: { pk: { S: 'shared-key' } }, ConsistentRead: true }),
      );
      expect(inOther.Item?.value).toEqual({ S: 'in sessions' });
      await app.close();
    });
  });

  describe('isGlobal', () => {
    @Injectable()
    class Consumer {
      constructor(@Inject(KV_STORE) readonly store: KVStore) {}
    }

    @Module({ providers: [Consumer], exports: [Consumer] })
    class FeatureModule {}

    it('makes the store injectable in modules that do not import DynamoKvModule', async () => {
      const app = await (
        await testingModule({
          imports: [DynamoKvModule.forRoot({ ...serverOptions(table.name), isGlobal: true }), FeatureModule],
        }).compile()
      ).init();
      await app.get(Consumer).store.set('global', 'yes');
      await expect(app.get(Consumer).store.get('global')).resolves.toBe('yes');
      await app.close();
    });

    it('is off by default: a module that does not import the store cannot inject it', async () => {
      const compile = testingModule({
        imports: [DynamoKvModule.forRoot(serverOptions(table.name)), FeatureModule],
      }).compile();
      await expect(compile).rejects.toThrow(/Consumer/);
    });
  });

  describe('client ownership', () => {
    it('uses a client the app passes in and leaves it open on shutdown', async () => {
      const client = testClient();
      const { app, store } = await startStoreApp({ table: table.name, client });
      await store.set('owned-by-app', 'v');
      await app.close();
      const described = await client.send(new DescribeTableCommand({ TableName: table.name }));
      expect(described.Table?.TableStatus).toBe('ACTIVE');
      client.destroy();
    });
  });
});
