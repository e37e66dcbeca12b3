import { ConfigurableModuleBuilder, type ConfigurableModuleOptionsFactory } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DYNAMO_KV_OPTIONS } from './dynamo-kv.constants.js';
import type { DynamoKvModuleOptions } from './dynamo-kv.options.js';
import { storeExports, storeProviders } from './dynamo-kv.providers.js';
import { DEFAULT_STORE_NAME } from './dynamo-kv.tokens.js';

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
    imports: [...(definition.imports ?? []), TerminusModule],
    providers: [...(definition.providers ?? []), ...storeProviders(extras.name)],
    exports: storeExports(extras.name),
  }))
  .build();

export type DynamoKvModuleForRootOptions = typeof OPTIONS_TYPE;
export type DynamoKvModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;

/** What `forRootAsync({ useClass })` / `useExisting` expects: a provider with `create()`. */
export type DynamoKvOptionsFactory = ConfigurableModuleOptionsFactory<DynamoKvModuleOptions, 'create'>;
