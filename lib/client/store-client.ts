import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataPlane } from '../options/dynamo-kv.options.js';
import type { ClientSettings } from '../options/dynamo-kv.settings.js';
import { raceAbort, type CallSignal } from './call-signal.js';
import { attemptMayHaveApplied, WRITE_COMMANDS, type AttemptLog, type CallContext } from './call-context.js';
import { CommandRouter } from './command-router.js';
import { leanClientConfig } from './data-plane/lean-client-config.js';
import { LeanDataPlane } from './data-plane/lean-data-plane.js';
import { leanPathBlocker } from './data-plane/lean-eligibility.js';
import { noResendAfterApplied } from './write-retry-strategy.js';

/** The per-call options of `client.send`: only the abort signal. */
export type SendOptions = { abortSignal: AbortSignal } | undefined;

/** A failed send: the SDK's error, and whether DynamoDB may have applied the request anyway. */
export class SendFailure extends Error {
  override readonly name = 'SendFailure';

  constructor(
    override readonly cause: unknown,
    readonly mayHaveApplied: boolean,
    /** How the latest attempt failed, when the store could see it (the SDK shows only the last error). */
    readonly lastAttemptError?: unknown,
  ) {
    super('The request failed.', { cause });
  }
}

/** The store's client, and the one way the store sends a request through it. */
export interface StoreClient {
  readonly client: DynamoDBClient;
  /** Whether the store built the client, and so destroys it. */
  readonly owned: boolean;
  /** How the store's item, batch and scan requests are sent: by the lean path, or by the SDK client (also when absent). */
  readonly dataPlane?: DataPlane;
  /** Why a client the store built sends every request through the SDK although the lean path was asked for. */
  readonly leanPathBlocker?: string;
  /**
   * Sends within `signal`; a failure rejects with {@link SendFailure}. `log`, when given, learns whether an
   * attempt may have been applied even when the call succeeds: a resend's answer speaks only for itself.
   * `call` sends one command, at once (not after an await of its own): that is how the command learns
   * which call it belongs to.
   */
  send<T>(call: (client: DynamoDBClient, options: SendOptions) => Promise<T>, signal: CallSignal, log?: AttemptLog): Promise<T>;
}

/** NodeHttpHandler, or the user's own handler (which has the same methods). */
type InnerHandler = NodeHttpHandler;

/**
 * The request handler of a client the store builds: it gives each request the signal of the call it
 * belongs to, so that no `send` needs per-call options. The SDK drops its middleware cache for any send
 * with per-call options, and the cache is what makes `cacheMiddleware` pay (about a fifth of the CPU of a
 * call).
 */
class CallSignalHandler {
  readonly metadata: InnerHandler['metadata'];

  constructor(
    private readonly inner: InnerHandler,
    private readonly calls: AsyncLocalStorage<CallContext>,
  ) {
    this.metadata = inner.metadata;
  }

  handle(request: Parameters<InnerHandler['handle']>[0], options: HttpHandlerOptions = {}): ReturnType<InnerHandler['handle']> {
    const abortSignal = this.calls.getStore()?.signal.asAbortSignal();
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
 * application's own, used as it is, signals passed per call. An owned client sends the store's item,
 * batch and scan requests through the lean path unless the settings say otherwise or hold something it
 * would not honour exactly.
 */
export function clientFor(settings: ClientSettings): StoreClient {
  if (!settings.owned) return adoptedClient(settings.client);
  const calls = new AsyncLocalStorage<CallContext>();
  // The settings hold a handler instance of the user's, or NodeHttpHandler options with the store's defaults.
  const handlerInput = settings.config.requestHandler as Parameters<typeof NodeHttpHandler.create>[0];
  const handler = NodeHttpHandler.create(handlerInput) as InnerHandler;
  const client = new DynamoDBClient({ cacheMiddleware: true, ...settings.config, requestHandler: new CallSignalHandler(handler, calls) });
  addAttemptLog(client, calls);
  // A resent write whose first attempt was applied (its answer lost) can land again after later writes.
  const sdkRetryStrategy = client.config.retryStrategy;
  client.config.retryStrategy = async () => noResendAfterApplied(await sdkRetryStrategy(), () => calls.getStore()?.write === true);
  const blocker = settings.dataPlane === 'lean' ? leanPathBlocker(settings.config) : undefined;
  // The same handler: one socket pool and the same per-attempt timeouts for both paths.
  const lean = settings.dataPlane === 'lean' && blocker === undefined ? new LeanDataPlane(leanClientConfig(client), handler, sdkRetryStrategy) : undefined;
  const router = new CommandRouter(client, calls, lean);
  return {
    client,
    owned: true,
    dataPlane: lean === undefined ? 'sdk' : 'lean',
    leanPathBlocker: blocker,
    send: async (call, signal, log) => {
      const context: CallContext = { signal, attemptsInFlight: 0, mayHaveApplied: false };
      try {
        return await raceWith(signal, router.start(context, call));
      } catch (error) {
        context.mayHaveApplied ||= context.attemptsInFlight > 0;
        throw new SendFailure(error, context.mayHaveApplied, context.lastAttemptError);
      } finally {
        if (log !== undefined) log.mayHaveApplied = context.mayHaveApplied;
      }
    },
  };
}

/** Below the SDK's retries, so it sees every attempt of the SDK path: whether one may have reached DynamoDB. */
function addAttemptLog(client: DynamoDBClient, calls: AsyncLocalStorage<CallContext>): void {
  client.middlewareStack.add(
    (next, handlerContext) => async (args) => {
      const context = calls.getStore();
      if (context === undefined) return next(args);
      context.write ??= WRITE_COMMANDS.has(String(handlerContext.commandName));
      context.attemptsInFlight += 1;
      try {
        return await next(args);
      } catch (error) {
        if (attemptMayHaveApplied(error)) context.mayHaveApplied = true;
        context.lastAttemptError = error;
        throw error;
      } finally {
        context.attemptsInFlight -= 1;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'nestjsDynamodbKvAttemptLog' },
  );
}

/** An application's client: no middleware of ours; the signal goes per call; the outcome judged by the last error. */
function adoptedClient(client: DynamoDBClient): StoreClient {
  return {
    client,
    owned: false,
    dataPlane: 'sdk',
    send: async (call, signal, log) => {
      try {
        const output = await raceWith(signal, call(client, { abortSignal: signal.asAbortSignal() }));
        // Without our middleware the earlier attempts are unseen: any resend may follow an applied attempt.
        if (log !== undefined) log.mayHaveApplied = attemptsOf(output, 1) > 1;
        return output;
      } catch (error) {
        // Only a lone refused attempt is sure not to have been applied.
        const mayHaveApplied = attemptsOf(error, 2) > 1 || attemptMayHaveApplied(error);
        if (log !== undefined) log.mayHaveApplied = mayHaveApplied;
        throw new SendFailure(error, mayHaveApplied);
      }
    },
  };
}

/** How many attempts the SDK made, from an answer's or an error's metadata; `unknown` when it does not say. */
function attemptsOf(answer: unknown, unknown: number): number {
  return (answer as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts ?? unknown;
}

/** `promise`, or the abort of `signal` at once: the SDK sleeps between retries without looking at it. */
function raceWith<T>(signal: CallSignal, promise: Promise<T>): Promise<T> {
  return raceAbort(promise, signal, () => signal.reason);
}
