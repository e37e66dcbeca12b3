import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidOptionsError } from '../contract/kv-store.errors.js';
import type { ClientSettings } from './dynamo-kv.settings.js';

/** The per-call options of `client.send`: only the abort signal. */
export type SendOptions = { abortSignal: AbortSignal } | undefined;

/** The store's client, and the one way the store sends a request with a signal through it. */
export interface StoreClient {
  readonly client: DynamoDBClient;
  /** Whether the store built the client, and so destroys it. */
  readonly owned: boolean;
  send<T>(call: (client: DynamoDBClient, options: SendOptions) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** NodeHttpHandler, or the user's own handler (which has the same methods). */
type InnerHandler = NodeHttpHandler;

/**
 * The request handler of a client the store builds: it gives each request the signal of the call it
 * belongs to, so that no `send` needs per-call options. The SDK drops its middleware cache for any send
 * with per-call options, and the cache is what makes `cacheMiddleware` pay (about a quarter of the CPU
 * of a call).
 */
class CallSignalHandler {
  readonly metadata: InnerHandler['metadata'];

  constructor(
    private readonly inner: InnerHandler,
    private readonly calls: AsyncLocalStorage<AbortSignal>,
  ) {
    this.metadata = inner.metadata;
  }

  handle(request: Parameters<InnerHandler['handle']>[0], options: HttpHandlerOptions = {}): ReturnType<InnerHandler['handle']> {
    const abortSignal = this.calls.getStore();
    return this.inner.handle(request, abortSignal === undefined ? options : { ...options, abortSignal });
  }

  updateHttpClientConfig(key: Parameters<InnerHandler['updateHttpClientConfig']>[0], value: Parameters<InnerHandler['updateHttpClientConfig']>[1]): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): ReturnType<InnerHandler['httpHandlerConfigs']> {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy?.();
  }
}

/**
 * The store's client: built from the settings (then owned by the store, with `cacheMiddleware` on unless
 * the settings say otherwise: nothing else can reach the client to add middleware later), or the
 * application's own, used as it is, signals passed per call.
 */
export function clientFor(settings: ClientSettings): StoreClient {
  if (!settings.owned) {
    const { client } = settings;
    return { client, owned: false, send: (call, signal) => call(client, signal === undefined ? undefined : { abortSignal: signal }) };
  }
  const calls = new AsyncLocalStorage<AbortSignal>();
  // The settings hold a handler instance of the user's, or NodeHttpHandler options with the store's defaults.
  const handlerInput = settings.config.requestHandler as Parameters<typeof NodeHttpHandler.create>[0];
  const requestHandler = new CallSignalHandler(NodeHttpHandler.create(handlerInput) as InnerHandler, calls);
  const client = new DynamoDBClient({ cacheMiddleware: true, ...settings.config, requestHandler });
  return {
    client,
    owned: true,
    send: (call, signal) => (signal === undefined ? call(client, undefined) : calls.run(signal, () => call(client, undefined))),
  };
}

/** Resolves the region now, so that a missing one fails at bootstrap rather than on the first call. */
export async function resolveRegion(client: DynamoDBClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    throw new InvalidOptionsError(
      'region',
      'is not set and the AWS default chain found none: pass region, or set AWS_REGION.',
      error,
    );
  }
}
