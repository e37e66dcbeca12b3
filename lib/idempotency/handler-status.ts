/** What Express's Response, Fastify's Reply (through `raw`) and Node.js's ServerResponse have. */
interface ResponseLike {
  statusCode?: unknown;
  raw?: { once?(event: 'finish', listener: () => void): unknown };
  once?(event: 'finish', listener: () => void): unknown;
}

/**
 * The status of a handler's response, to store for replay. Usually what the response has when the handler
 * ends (the route's, or what the handler set with `@Res({ passthrough: true })`). But when the subscriber
 * left first because something else answered the client (an outer `timeout()`, whose 408 the exception
 * filter sent), the response then carries that answer's status: the status from when the subscriber left
 * is kept instead, unless the handler set another one after that answer went out.
 */
export class HandlerStatus {
  private left: { status: unknown; sent?: unknown } | undefined;

  constructor(private readonly response: unknown) {}

  /** The subscriber left while the handler runs: note the status so far, and the status of what gets sent from now on. */
  subscriberLeft(): void {
    const left: { status: unknown; sent?: unknown } = { status: this.statusCode() };
    this.left = left;
    const response = this.response as ResponseLike;
    const raw = response.raw ?? response;
    raw.once?.('finish', () => (left.sent = this.statusCode()));
  }

  current(): unknown {
    const now = this.statusCode();
    if (this.left?.sent === undefined || now !== this.left.sent) return now;
    return this.left.status;
  }

  private statusCode(): unknown {
    return (this.response as ResponseLike).statusCode;
  }
}
