import { HttpRequest, type HttpResponse } from '@smithy/core/protocols';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { MetadataBearer, RetryStrategy, RetryStrategyV2, RetryToken } from '@smithy/types';
import { randomUUID } from 'node:crypto';
import { attemptMayHaveApplied, type CallContext } from '../call-context.js';
import { raceAbort, type CallSignal } from '../call-signal.js';
import { isStrategyV2 } from '../write-retry-strategy.js';
import { ClockSkew } from './clock-skew.js';
import { jsonBody } from './json-body.js';
import { readAnswer } from './lean-answer.js';
import type { LeanClientConfig } from './lean-client-config.js';
import { leanOperationOf, type LeanInput, type LeanOperation } from './lean-operations.js';
import { LeanTargets, type LeanTarget } from './lean-targets.js';
import { asSdkError, retryErrorInfo } from './retry-error-info.js';
import { userAgentHeaders } from './user-agent.js';

/** A command as the lean path reads it: its input, and the operation schema the SDK put on it. */
export interface LeanCommand {
  readonly input: LeanInput;
  readonly schema?: unknown;
}

/** What the lean path resolves once, on its first request. */
interface Prepared {
  readonly strategy: RetryStrategyV2;
  readonly maxAttempts: number;
  readonly clock: ClockSkew;
  readonly userAgent: Readonly<Record<string, string>>;
}

/**
 * The store's hot requests (GetItem, PutItem, DeleteItem, UpdateItem, BatchGetItem, BatchWriteItem,
 * Scan) without the SDK's middleware stack, which costs most of a call's CPU. Each request is what the
 * SDK would send: the input as JSON, signed by the SDK's own SigV4 signer with the client's credentials,
 * to the endpoint the SDK's endpoint rules give, through the client's own request handler (its sockets
 * and per-attempt timeouts). Each answer is read as the SDK would (error answers by the SDK's own
 * protocol, so errors are the SDK's exception classes), retried by the SDK's own retry strategy, except
 * that a write is never resent after an attempt that may have been applied. Every attempt is logged in
 * the call's context as the SDK path's middleware logs it.
 */
export class LeanDataPlane {
  private readonly targets: LeanTargets;
  private prepared?: Promise<Prepared | undefined>;

  constructor(
    private readonly config: LeanClientConfig,
    private readonly handler: NodeHttpHandler,
    /** The SDK client's retry strategy, as the SDK resolved it (before the store's wrapper). */
    private readonly retryStrategy: () => Promise<RetryStrategyV2 | RetryStrategy>,
  ) {
    this.targets = new LeanTargets(config);
  }

  /** The lean operation of `command`, or undefined when the SDK sends it. */
  operationOf(command: unknown): LeanOperation | undefined {
    return leanOperationOf(command);
  }

  /** Sends `command` for the call of `context`; `viaSdk` sends it through the SDK instead, when the lean path cannot. */
  async send(operation: LeanOperation, command: LeanCommand, context: CallContext, viaSdk: () => Promise<unknown>): Promise<unknown> {
    const prepared = await this.prepare();
    if (prepared === undefined) return viaSdk();
    // Before any attempt, as the SDK resolves the identity: no credentials fails the call with nothing sent.
    const identity = await this.config.credentials();
    const target = await this.targets.get(operation, command.input, identity);
    if (target === undefined) return viaSdk();
    return this.withRetries(operation, command, target, context, prepared);
  }

  /** The SDK retry middleware's loop, with the store's rule for writes. */
  private async withRetries(operation: LeanOperation, command: LeanCommand, target: LeanTarget, context: CallContext, prepared: Prepared): Promise<MetadataBearer> {
    const { strategy } = prepared;
    let token = await strategy.acquireInitialRetryToken('');
    const body = jsonBody(command.input);
    const invocationId = randomUUID();
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      // An aborted call sends nothing more (the SDK's handler would refuse the request at once).
      if (context.signal.aborted) throw context.signal.reason;
      try {
        const output = await this.attempt(operation, command, target, { body, invocationId, attempt: attempts + 1 }, context, prepared);
        strategy.recordSuccess(token);
        output.$metadata.attempts = attempts + 1;
        output.$metadata.totalRetryDelay = totalRetryDelay;
        return output;
      } catch (error) {
        const lastError = asSdkError(error);
        try {
          token = await this.retryToken(strategy, token, error, context);
        } catch (refusal) {
          if (context.signal.aborted && isAbortError(refusal)) throw refusal;
          lastError.$metadata ??= {};
          lastError.$metadata.attempts = attempts + 1;
          lastError.$metadata.totalRetryDelay = totalRetryDelay;
          throw lastError;
        }
        attempts = token.getRetryCount();
        const delay = token.getRetryDelay();
        totalRetryDelay += ((token as { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay ?? 0) + delay;
        if (delay > 0) await untilAborted(new Promise((resolve) => setTimeout(resolve, delay)), context.signal);
      }
    }
  }

  /**
   * The token for a resend, from the SDK's strategy (which also waits out the backoff); refused for a
   * write after an attempt that may have been applied: that attempt may still land, and a resend could
   * apply the write twice, after later writes of other callers.
   */
  private retryToken(strategy: RetryStrategyV2, token: RetryToken, error: unknown, context: CallContext): Promise<RetryToken> {
    const info = retryErrorInfo(error);
    if (context.write === true && attemptMayHaveApplied(error)) return Promise.reject(error);
    return untilAborted(strategy.refreshRetryTokenForRetry(token, info), context.signal);
  }

  /** One attempt: signed (each attempt at its own time), sent, read; the clock corrected by its answer. */
  private async attempt(
    operation: LeanOperation,
    command: LeanCommand,
    target: LeanTarget,
    request: { body: string; invocationId: string; attempt: number },
    context: CallContext,
    prepared: Prepared,
  ): Promise<MetadataBearer & { $metadata: Record<string, unknown> }> {
    const unsigned = new HttpRequest({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      query: target.query,
      username: target.username,
      password: target.password,
      headers: {
        ...target.headers,
        ...prepared.userAgent,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation.name}`,
        'content-length': String(Buffer.byteLength(request.body)),
        'amz-sdk-invocation-id': request.invocationId,
        'amz-sdk-request': `attempt=${request.attempt}; max=${prepared.maxAttempts}`,
      },
      body: request.body,
    });
    const sample = prepared.clock.sample();
    const signed = (await target.signer.sign(unsigned, {
      signingDate: sample.date,
      signingRegion: target.signingRegion,
      signingService: target.signingService,
    })) as HttpRequest;
    try {
      const { response, output } = await this.exchange(operation, command, signed, context);
      prepared.clock.afterAnswer(response, sample);
      return output as MetadataBearer & { $metadata: Record<string, unknown> };
    } catch (error) {
      prepared.clock.afterError(error, sample);
      throw error;
    }
  }

  /** The request on the wire and its answer read, logged in the call's context as the SDK path's attempt log does. */
  private async exchange(operation: LeanOperation, command: LeanCommand, request: HttpRequest, context: CallContext): Promise<{ response: HttpResponse; output: MetadataBearer }> {
    context.write ??= operation.write;
    context.attemptsInFlight += 1;
    try {
      // The CallSignal's `onabort` shape: fine for the NodeHttpHandler the store builds, the only one this path gets.
      const { response } = await this.handler.handle(request, { abortSignal: context.signal });
      return { response, output: await readAnswer(response, command, this.config) };
    } catch (error) {
      if (attemptMayHaveApplied(error)) context.mayHaveApplied = true;
      context.lastAttemptError = error;
      throw error;
    } finally {
      context.attemptsInFlight -= 1;
    }
  }

  private prepare(): Promise<Prepared | undefined> {
    this.prepared ??= this.resolvePrepared().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  private async resolvePrepared(): Promise<Prepared | undefined> {
    const strategy = await this.retryStrategy();
    // A strategy of the older kind drives the SDK's middleware itself: the SDK path sends then.
    if (!isStrategyV2(strategy)) return undefined;
    const [maxAttempts, clockSkewDisabled, userAgent] = await Promise.all([
      this.config.maxAttempts(),
      this.config.disableClockSkewCorrection?.(),
      userAgentHeaders(this.config),
    ]);
    return { strategy, maxAttempts, clock: new ClockSkew(this.config, clockSkewDisabled === true), userAgent };
  }
}

/** `promise`, or an AbortError as soon as `signal` aborts (as the SDK's retry middleware races its waits). */
function untilAborted<T>(promise: Promise<T>, signal: CallSignal): Promise<T> {
  return raceAbort(promise, signal, abortError);
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
