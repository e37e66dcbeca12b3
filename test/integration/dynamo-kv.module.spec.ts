import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { Inject, Injectable, Module, type ModuleMetadata } from '@nestjs/common';
import {
  DynamoKvModule,
  InjectKvStore,
  InvalidOptionsError,
  KV_STORE,
  KeyNotFoundError,
  getKvStoreToken,
  type DynamoKvModuleOptions,
  type DynamoKvOptionsFactory,
  type KVStore,
} from '../../lib/index.js';
import { useFixture, useTable } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { optionsAt, serverOptions } from '../support/store-options.js';

const CONFIG = Symbol('CONFIG');

describe('DynamoKvModule', () => {
  const table = useTable();
  const otherTable = useTable();
  const fixture = useFixture();

  describe('forRoot', () => {
    it('stores the value under the partition key in the value attribute, as plain strings', async () => {
      const { store } = await fixture.storeApp(serverOptions(table.name));
      await store.set('raw-check', 'raw value');
      const { Item } = await table.client.send(
        new GetItemCommand({ TableName: table.name, Key: { pk: { S: 'raw-check' } }, ConsistentRead: true }),
      );
      expect(Item).toEqual({ pk: { S: 'raw-check' }, value: { S: 'raw value' } });
    });

    it('uses custom partitionKeyName and valueAttributeName', async () => {
      const custom = await fixture.table({ partitionKeyName: 'id' });
      const { store } = await fixture.storeApp({
        ...serverOptions(custom.name),
        partitionKeyName: 'id',
        valueAttributeName: 'data',
        consistentRead: true,
      });
      await store.set('custom', 'v');
      const { Item } = await custom.client.send(new GetItemCommand({ TableName: custom.name, Key: { id: { S: 'custom' } } }));
      expect(Item).toEqual({ id: { S: 'custom' }, data: { S: 'v' } });
      await expect(store.get('custom')).resolves.toBe('v');
    });

    it('works with attribute names that are also names of Object.prototype members', async () => {
      const custom = await fixture.table({ partitionKeyName: 'constructor' });
      const { store } = await fixture.storeApp({ ...serverOptions(custom.name), partitionKeyName: 'constructor', valueAttributeName: 'toString' });
      await expect(store.get('absent')).rejects.toBeInstanceOf(KeyNotFoundError);
      await store.set('k', 'v');
      await expect(store.get('k')).resolves.toBe('v');
    });

    it('treats an item without a string value attribute as missing', async () => {
      const { store } = await fixture.storeApp(serverOptions(table.name));
      await table.client.send(new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'no-value' } } }));
      await table.client.send(new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'number-value' }, value: { N: '42' } } }));
      await expect(store.get('no-value')).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(store.get('number-value')).rejects.toBeInstanceOf(KeyNotFoundError);
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

    async function expectWorkingStore(imports: ModuleMetadata['imports']): Promise<void> {
      const store = (await fixture.app({ imports })).get<KVStore>(KV_STORE);
      await store.set('async', 'configured');
      await expect(store.get('async')).resolves.toBe('configured');
    }

    it('builds options with useFactory and inject', async () => {
      const factory = jest.fn((config: { table: string }) => serverOptions(config.table));
      await expectWorkingStore([DynamoKvModule.forRootAsync({ imports: [ConfigModule], inject: [CONFIG], useFactory: factory })]);
      expect(factory).toHaveBeenCalledWith({ table: table.name });
    });

    it('builds options with useClass', async () => {
      await expectWorkingStore([DynamoKvModule.forRootAsync({ useClass: KvOptions })]);
    });

    it('builds options with useExisting', async () => {
      await expectWorkingStore([DynamoKvModule.forRootAsync({ imports: [KvOptionsModule], useExisting: KvOptions })]);
    });

    it('fails bootstrap with InvalidOptionsError naming table when the factory returns nothing', async () => {
      const imports = [DynamoKvModule.forRootAsync({ useFactory: () => undefined as unknown as DynamoKvModuleOptions })];
      const error = await fixture.app({ imports }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ option: 'table' });
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
      const app = await fixture.app({
        imports: [
          DynamoKvModule.forRoot(serverOptions(table.name)),
          DynamoKvModule.forRootAsync({ name: 'sessions', useFactory: () => serverOptions(otherTable.name) }),
        ],
        providers: [TwoStores],
      });
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
    });

    it('fails bootstrap, naming the store, when two registrations share a name on different tables', async () => {
      const imports = [
        DynamoKvModule.forRoot({ ...serverOptions(table.name), name: 'cache' }),
        DynamoKvModule.forRootAsync({ name: 'cache', useFactory: () => serverOptions(otherTable.name) }),
      ];
      const error = await fixture.app({ imports }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ option: 'name' });
      expect((error as Error).message).toContain("'cache' is used by two stores");
      expect((error as Error).message).toContain(table.name);
      expect((error as Error).message).toContain(otherTable.name);
    });

    it('warns when one store is registered twice on the same table', async () => {
      const capture = new LogCapture();
      const imports = [DynamoKvModule.forRoot(serverOptions(table.name)), DynamoKvModule.forRootAsync({ useFactory: () => serverOptions(table.name) })];
      await fixture.app({ imports }, capture);
      const warnings = capture.lines.filter((line) => line.level === 'warn').map((line) => String(line.message));
      expect(warnings).toEqual([expect.stringContaining("Store 'default' (table '" + table.name + "') is registered more than once")]);
    });

    it('fails bootstrap when one name is registered twice with different key prefixes', async () => {
      const imports = [
        DynamoKvModule.forRoot({ ...serverOptions(table.name), name: 'cache', keyPrefix: 'a:' }),
        DynamoKvModule.forRootAsync({ name: 'cache', useFactory: () => ({ ...serverOptions(table.name), keyPrefix: 'b:' }) }),
      ];
      const error = await fixture.app({ imports }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ option: 'name' });
      expect((error as Error).message).toContain(`table '${table.name}' with keyPrefix 'a:' and table '${table.name}' with keyPrefix 'b:'`);
    });
  });

  describe('key prefixes of stores on one table', () => {
    const store = (name: string, keyPrefix: string | undefined, options = serverOptions(table.name)) =>
      DynamoKvModule.forRootAsync({ name, useFactory: () => ({ ...options, keyPrefix }) });

    async function bootError(imports: ModuleMetadata['imports']): Promise<unknown> {
      return fixture.app({ imports }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
    }

    it('fails bootstrap when one prefix starts the other, naming both stores, the table and what to do', async () => {
      const error = await bootError([store('users', 's:'), store('admins', 's:admin:')]);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ option: 'keyPrefix' });
      const { message } = error as Error;
      expect(message).toContain("'s:admin:' of store 'admins' overlaps 's:' of store 'users'");
      expect(message).toContain(`on table '${table.name}' (region 'us-east-1')`);
      expect(message).toContain("the key 'admin:x' of store 'users' is the key 'x' of store 'admins'");
      expect(message).toContain("Give the stores prefixes of which neither starts the other (e.g. 'users:' and 'admins:'");
    });

    it.each<[string, string | undefined, string | undefined]>([
      ['equal prefixes', 'same:', 'same:'],
      ['no prefix beside a prefix', undefined, 'sessions:'],
      ['two stores without a prefix', undefined, undefined],
      ['a prefix that starts the other, registered second', 'ab:cd:', 'ab:'],
    ])('fails bootstrap for %s', async (_case, first, second) => {
      const error = await bootError([store('first', first), store('second', second)]);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ option: 'keyPrefix' });
      expect((error as Error).message).toMatch(/store 'first'.*store 'second'|store 'second'.*store 'first'/);
    });

    it('fails bootstrap for two stores given the same client object', async () => {
      const client = fixture.client();
      const error = await bootError([
        store('first', 'x:', { table: table.name, client }),
        store('second', 'x:y:', { table: table.name, client }),
      ]);
      expect(error).toMatchObject({ name: 'InvalidOptionsError', option: 'keyPrefix' });
    });

    it('fails bootstrap for two app clients on one table name and region, whose endpoints it cannot see', async () => {
      const error = await bootError([
        store('first', 'x:', { table: table.name, client: fixture.client() }),
        store('second', '', { table: table.name, client: fixture.client() }),
      ]);
      expect(error).toMatchObject({ name: 'InvalidOptionsError', option: 'keyPrefix' });
    });

    it('serves stores whose prefixes do not overlap on one table, each seeing only its own keys', async () => {
      const app = await fixture.app({ imports: [store('users', 'users:'), store('admins', 'admins:')] });
      const users = app.get<KVStore>(getKvStoreToken('users'));
      const admins = app.get<KVStore>(getKvStoreToken('admins'));
      await users.set('x', 'user x');
      await admins.set('x', 'admin x');
      await expect(users.get('x')).resolves.toBe('user x');
      await expect(admins.get('x')).resolves.toBe('admin x');
    });

    it('serves overlapping prefixes on tables of one name behind two endpoints, or in two regions', async () => {
      const other = await fixture.dynalite();
      await expect(fixture.app({ imports: [store('here', ''), store('there', '', optionsAt(other.endpoint, table.name))] })).resolves.toBeDefined();
      const elsewhere = { ...serverOptions(table.name), region: 'eu-west-1' };
      await expect(fixture.app({ imports: [store('us', 'a:'), store('eu', 'a:', elsewhere)] })).resolves.toBeDefined();
    });

    it('serves overlapping prefixes on two tables', async () => {
      await expect(fixture.app({ imports: [store('main', ''), store('sessions', '', serverOptions(otherTable.name))] })).resolves.toBeDefined();
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
      const app = await fixture.app({ imports: [DynamoKvModule.forRoot({ ...serverOptions(table.name), isGlobal: true }), FeatureModule] });
      await app.get(Consumer).store.set('global', 'yes');
      await expect(app.get(Consumer).store.get('global')).resolves.toBe('yes');
    });

    it('is off by default: a module that does not import the store cannot inject it', async () => {
      await expect(fixture.app({ imports: [DynamoKvModule.forRoot(serverOptions(table.name)), FeatureModule] })).rejects.toThrow(/Consumer/);
    });
  });

  describe('client ownership', () => {
    it('uses a client the app passes in and leaves it open on shutdown', async () => {
      const client = fixture.client();
      const { app, store } = await fixture.storeApp({ table: table.name, client });
      await store.set('owned-by-app', 'v');
      await app.close();
      const described = await client.send(new DescribeTableCommand({ TableName: table.name }));
      expect(described.Table?.TableStatus).toBe('ACTIVE');
    });
  });
});
