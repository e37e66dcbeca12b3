import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req, Res, UseFilters, type RawBodyRequest } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KV_STORE, KvHttpExceptionFilter, type KVStore } from 'nestjs-dynamodb-kv';
import { contentTypeOf, keyValueOf, requestValue } from './request-value.js';

/** REST over the injected store. */
@Controller('kv')
@UseFilters(KvHttpExceptionFilter)
export class KvController {
  constructor(@Inject(KV_STORE) private readonly store: KVStore) {}

  @Put(':key')
  @HttpCode(204)
  async put(@Param('key') key: string, @Req() request: RawBodyRequest<FastifyRequest>): Promise<void> {
    await this.store.set(key, requestValue(request));
  }

  @Post()
  @HttpCode(204)
  async post(@Body() body: unknown): Promise<void> {
    const { key, value } = keyValueOf(body);
    await this.store.set(key, value);
  }

  @Get(':key')
  async get(@Param('key') key: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const value = await this.store.get(key);
    void reply.type(contentTypeOf(value));
    return value;
  }

  @Delete(':key')
  @HttpCode(204)
  async delete(@Param('key') key: string): Promise<void> {
    await this.store.delete(key);
  }
}
