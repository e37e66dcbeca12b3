import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { INestApplication, INestApplicationContext, LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { DynamoKvModule, getKvStoreToken, type DynamoKvModuleForRootOptions, type KVStore } from '../../lib/index.js';
import { startDynalite, type RunningServer } from './dynalite-server.js';
import { SILENT_LOGGER } from './silent-logger.js';
import { startSampleApp, startServerProcess, type SampleAppProcess, type ServerProcess, type ServerProcessOptions } from './server-process.js';
import { startHangingServer, type HangingServer } from './silent-servers.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { createTestTable, testClient, testEndpoint, type TestTable } from './test-endpoint.js';


function testingModule(metadata: ModuleMetadata, logger: LoggerService = SILENT_LOGGER): TestingModuleBuilder {
  return Test.createTestingModule(metadata).setLogger(logger);
}

export interface StoreApp {
  app: INestApplicationContext;
  store: KVStore;
}

/**
 * Opens what a test needs and closes all of it when the test ends (or the describe block, for
 * `useFixture('all')`), last opened first, whether the test passed or not: a failing assertion never
 * leaves a server or a client behind to hang the run.
 */
export class Fixture {
  private readonly closers: Array<() => unknown> = [];

  /** Runs `close` at the end, with everything else this fixture opened. */
  defer(close: () => unknown): void {
    this.closers.push(close);
  }

  /** An application context with `metadata`, logging to `logger` (silent by default). */
  async app(metadata: ModuleMetadata, logger?: LoggerService): Promise<INestApplicationContext> {
    const moduleRef = await testingModule(metadata, logger).compile();
    this.defer(() => moduleRef.close());
    return moduleRef.init();
  }

  /** An HTTP application with `metadata` on `adapter` (Express, Fastify), listening on a free loopback port. */
  async httpApp(metadata: ModuleMetadata, adapter: AbstractHttpAdapter): Promise<INestApplication> {
    const moduleRef = await testingModule(metadata).compile();
    const app = moduleRef.createNestApplication(adapter);
    this.defer(() => app.close());
    await app.listen(0, '127.0.0.1');
    return app;
  }

  /** An app that imports `DynamoKvModule.forRoot(options)`, as an application would, and its store. */
  async storeApp(options: DynamoKvModuleForRootOptions, logger?: LoggerService): Promise<StoreApp> {
    const app = await this.app({ imports: [DynamoKvModule.forRoot(options)] }, logger);
    return { app, store: app.get<KVStore>(getKvStoreToken(options.name)) };
  }

  async dynalite(options?: Parameters<typeof startDynalite>[0]): Promise<RunningServer> {
    const server = await startDynalite(options);
    this.defer(() => server.close());
    return server;
  }

  /** A fault-injecting proxy in front of `target` (this worker's test server by default). */
  async faultProxy(target = testEndpoint()): Promise<FaultProxy> {
    const proxy = await startFaultProxy(target);
    this.defer(() => proxy.close());
    return proxy;
  }

  async hangingServer(): Promise<HangingServer> {
    const server = await startHangingServer();
    this.defer(() => server.close());
    return server;
  }

  /** A fresh ACTIVE table on this worker's test server. */
  async table(options?: Parameters<typeof createTestTable>[0]): Promise<TestTable> {
    const table = await createTestTable(options);
    this.defer(() => table.drop());
    return table;
  }

  client(endpoint?: string): DynamoDBClient {
    const client = testClient(endpoint);
    this.defer(() => client.destroy());
    return client;
  }

  async sampleApp(env: Record<string, string>, cwd?: string): Promise<SampleAppProcess> {
    const app = await startSampleApp(env, cwd);
    this.defer(() => app.stop('SIGKILL'));
    return app;
  }

  async serverProcess(main: string, options: ServerProcessOptions): Promise<ServerProcess> {
    const server = await startServerProcess(main, options);
    this.defer(() => server.stop('SIGKILL'));
    return server;
  }

  /** A new empty folder under the system's temporary folder, removed at the end. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.defer(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async close(): Promise<void> {
    const failures: unknown[] = [];
    for (let close = this.closers.pop(); close; close = this.closers.pop()) {
      try {
        await close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      const reasons = failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)));
      throw new AggregateError(failures, `Closing the test fixture failed: ${reasons.join('; ')}`);
    }
  }
}

/** A fixture closed after each test of the calling describe block, or after all of them. */
export function useFixture(scope: 'each' | 'all' = 'each'): Fixture {
  const fixture = new Fixture();
  (scope === 'each' ? afterEach : afterAll)(() => fixture.close());
  return fixture;
}

/**
 * A fresh table for the calling describe block, filled in before its first test and dropped after its
 * last: `const table = useTable();`, then `table.name` in the tests.
 */
export function useTable(options?: Parameters<typeof createTestTable>[0]): TestTable {
  const fixture = useFixture('all');
  const table = {} as TestTable;
  beforeAll(async () => {
    Object.assign(table, await fixture.table(options));
  });
  return table;
}
