import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { CallContext } from './call-context.js';
import type { LeanCommand, LeanDataPlane } from './data-plane/lean-data-plane.js';
import type { SendOptions } from './store-client.js';

/**
 * Sends each command of a store call by the lean path when it serves the command, and through the SDK
 * client otherwise, with the call's context either way: the lean path is handed it, the SDK path's
 * middleware and request handler find it in `calls`.
 */
export class CommandRouter {
  /** What a call's code sends through: the client, with a `send` that knows the call. */
  private readonly sender: DynamoDBClient;
  private readonly sdkSend: (command: unknown) => Promise<unknown>;
  /** The call whose code is running right now, up to its first await. */
  private starting?: CallContext;
  private sdkRequestsInFlight = 0;

  constructor(
    client: DynamoDBClient,
    private readonly calls: AsyncLocalStorage<CallContext>,
    private readonly lean: LeanDataPlane | undefined,
  ) {
    this.sdkSend = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    this.sender = Object.create(client, { send: { value: (command: unknown) => this.route(command) } }) as DynamoDBClient;
  }

  /** Runs `call`, the code of the call of `context`: the command it sends at once is sent for that call. */
  start<T>(context: CallContext, call: (client: DynamoDBClient, options: SendOptions) => Promise<T>): Promise<T> {
    this.starting = context;
    try {
      return call(this.sender, undefined);
    } finally {
      this.starting = undefined;
    }
  }

  private route(command: unknown): Promise<unknown> {
    const context = this.starting ?? this.calls.getStore();
    if (context === undefined) return this.sdkSend(command);
    const operation = this.lean?.operationOf(command);
    if (this.lean === undefined || operation === undefined) return this.viaSdk(command, context);
    return this.lean.send(operation, command as LeanCommand, context, () => this.viaSdk(command, context));
  }

  /**
   * Sends through the SDK client within the call's async context. An enabled AsyncLocalStorage costs every
   * promise of the process a hook (Node 20 and 22), so `calls` is enabled only while such a request is in flight.
   */
  private viaSdk(command: unknown, context: CallContext): Promise<unknown> {
    this.sdkRequestsInFlight += 1;
    // Async, so that even a synchronous throw ends the request's count.
    const sent = this.calls.run(context, async () => this.sdkSend(command));
    const ended = (): void => {
      this.sdkRequestsInFlight -= 1;
      if (this.sdkRequestsInFlight === 0) this.calls.disable();
    };
    sent.then(ended, ended);
    return sent;
  }
}
