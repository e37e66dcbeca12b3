import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { KV_STORE, type KVStore } from 'nestjs-dynamodb-kv';
import { GreetingService } from './greeting.service';

@Controller()
export class KvController {
  constructor(
    @Inject(KV_STORE) private readonly kv: KVStore,
    private readonly greetings: GreetingService,
  ) {}

  @Put('kv/:key')
  @HttpCode(204)
  async put(@Param('key') key: string, @Body() body: { value: string }): Promise<void> {
    await this.kv.set(key, body.value);
  }

  @Get('kv/:key')
  async get(@Param('key') key: string): Promise<{ value: string }> {
    return { value: await this.kv.get(key) };
  }

  @Delete('kv/:key')
  @HttpCode(204)
  async delete(@Param('key') key: string): Promise<void> {
    await this.kv.delete(key);
  }

  @Get('greet/:user')
  async greet(@Param('user') user: string): Promise<{ greeting: string }> {
    return { greeting: await this.greetings.greet(user) };
  }
}
