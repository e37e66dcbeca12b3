import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Idempotent, KV_STORE, KeyNotFoundError, KvHttpExceptionFilter, type KVStore } from 'nestjs-dynamodb-kv';
import { ApiTokenGuard } from '../http/bearer-token.guard.js';
import { HttpError } from '../http/http-error.js';
import { etagOf } from './etag.js';
import { IdempotencyKeysInterceptor } from './idempotency-keys.interceptor.js';
import { contentTypeOf, keyValueOf, requestValue } from './request-value.js';

/** REST over the injected store, behind KV_API_TOKEN when it is set, and rate-limited per client (KV_RATE_LIMIT). */
@Controller('kv')
@UseFilters(KvHttpExceptionFilter)
@UseGuards(ApiTokenGuard, ThrottlerGuard)
export class KvController {
  constructor(@Inject(KV_STORE) private readonly store: KVStore) {}

  /**
   * Stores the body. `?ttl=60` expires it; `If-None-Match: *` writes only a missing key; `If-Match: <etag>`
   * replaces only the value that tag was given for. A failed condition is 412, and changes nothing.
   */
  @Put(':key')
  @HttpCode(204)
  async put(
    @Param('key') key: string,
    @Req() request: FastifyRequest,
    @Query('ttl') ttl?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    const value = requestValue(request);
    const options = ttl === undefined ? {} : { ttlSeconds: Number(ttl) };
    if (ifNoneMatch === '*') {
      if (!(await this.store.setIfAbsent(key, value, options))) throw preconditionFailed('The key already has a value (If-None-Match: *).');
    } else if (ifMatch !== undefined) {
      const current = await this.store.get(key).catch((error: unknown) => {
        if (error instanceof KeyNotFoundError) return undefined;
        throw error;
      });
      const matches = current !== undefined && (ifMatch === '*' || ifMatch.split(',').some((tag) => tag.trim() === etagOf(current)));
      if (!matches || !(await this.store.compareAndSwap(key, current, value, options))) {
        throw preconditionFailed('The stored value does not match If-Match (it changed, or there is none).');
      }
    } else {
      await this.store.set(key, value, options);
    }
  }

  /** With an `Idempotency-Key` header, a retry is answered from the first request's record. */
  @Post()
  @HttpCode(204)
  @Idempotent()
  @UseInterceptors(IdempotencyKeysInterceptor)
  async post(@Body() body: unknown): Promise<void> {
    const { key, value } = keyValueOf(body);
    await this.store.set(key, value);
  }

  /**
   * Adds `?by=` (1 by default) to the counter under the key and answers the new count. With an
   * `Idempotency-Key` header a retried increment is counted once: the retry gets the first answer.
   */
  @Post(':key/increment')
  @HttpCode(200)
  @Idempotent()
  @UseInterceptors(IdempotencyKeysInterceptor)
  async increment(@Param('key') key: string, @Query('by') by?: string): Promise<{ count: number }> {
    if (by !== undefined && !/^-?\d+$/.test(by)) throw new HttpError(400, 'INVALID_DELTA', '?by= must be a whole number.');
    // A delta beyond the safe integers is the store's InvalidValueError: 400 too.
    return { count: await this.store.increment(key, by === undefined ? 1 : Number(by)) };
  }

  /** `GET /kv?key=a&key=b`: the keys that have a value, as one JSON object. */
  @Get()
  async getMany(@Query('key') keys?: string | string[]): Promise<Record<string, string>> {
    return Object.fromEntries(await this.store.getMany(keyList(keys)));
  }

  @Get(':key')
  async get(@Param('key') key: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const value = await this.store.get(key);
    void reply.type(contentTypeOf(value)).header('etag', etagOf(value));
    return value;
  }

  /** `DELETE /kv?key=a&key=b`: deletes every key given. */
  @Delete()
  @HttpCode(204)
  async deleteMany(@Query('key') keys?: string | string[]): Promise<void> {
    await this.store.deleteMany(keyList(keys));
  }

  @Delete(':key')
  @HttpCode(204)
  async delete(@Param('key') key: string): Promise<void> {
    await this.store.delete(key);
  }
}

function keyList(keys: string | string[] | undefined): string[] {
  if (keys === undefined) throw new HttpError(400, 'MISSING_KEY', 'Name the keys: ?key=a&key=b.');
  return Array.isArray(keys) ? keys : [keys];
}

function preconditionFailed(message: string): HttpError {
  return new HttpError(412, 'PRECONDITION_FAILED', message);
}
