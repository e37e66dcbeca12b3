import type { KvErrorBody } from 'nestjs-dynamodb-kv';

/** An error the app answers itself, in the one JSON body shape, with a code that says what was wrong. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get body(): KvErrorBody {
    return { statusCode: this.statusCode, error: this.code, message: this.message };
  }
}

/** Fastify's router refusals (a URL that is malformed, or too long for a key), without echoing the URL. */
export function frameworkErrorBody(error: Error & { code?: string; statusCode?: number }): KvErrorBody {
  const statusCode = error.statusCode ?? 400;
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'The URL is too long: a key is at most 2048 UTF-8 bytes.'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'The URL is malformed (its percent-encoding, say).'
        : 'The request was refused.';
  return { statusCode, error: error.code ?? 'BAD_REQUEST', message };
}
