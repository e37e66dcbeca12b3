import { ConfigurableModuleBuilder, type ConfigurableModuleOptionsFactory } from '@nestjs/common';
import { DEFAULT_STORE_NAME } from '../contract/kv-store.tokens.js';
import type { DynamoKvModuleOptions } from '../options/dynamo-kv.options.js';
import { DynamoKvCoreModule } from './dynamo-kv-core.module.js';
import { DYNAMO_KV_OPTIONS } from './dynamo-kv.internal-tokens.js';
import { storeExports, storeProviders } from './dynamo-kv.providers.js';

/** Options that shape the module itself, given beside the store options in forRoot and forRootAsync. */
export interface DynamoKvModuleExtras {
  /** Registers the store under `getKvStoreToken(name)`; several names give several stores. */
  name: string;
  /** Makes the store injectable everywhere without importing the module again. */
  isGlobal: boolean;
}

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<DynamoKvModuleOptions>({
  moduleName: 'DynamoKv',
  optionsInjectionToken: DYNAMO_KV_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<DynamoKvModuleExtras>({ name: DEFAULT_STORE_NAME, isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    imports: [...(definition.imports ?? []), DynamoKvCoreModule],
    providers: [...(definition.providers ?? []), ...storeProviders(extras.name)],
    exports: storeExports(extras.name),
  }))
  .build();

export type DynamoKvModuleForRootOptions = typeof OPTIONS_TYPE;
export type DynamoKvModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;

/** What `forRootAsync({ useClass })` / `useExisting` expects: a provider with `create()`. */
export type DynamoKvOptionsFactory = ConfigurableModuleOptionsFactory<DynamoKvModuleOptions, 'create'>;
