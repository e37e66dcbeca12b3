import { Inject, Injectable } from '@nestjs/common';
import { KV_STORE, KeyNotFoundError, type KVStore } from 'nestjs-dynamodb-kv';

// The README's quick start service: `instanceof KeyNotFoundError` must hold in the app's own module format.
@Injectable()
export class GreetingService {
  constructor(@Inject(KV_STORE) private readonly kv: KVStore) {}

  async greet(user: string): Promise<string> {
    try {
      return await this.kv.get(`greeting:${user}`);
    } catch (error) {
      if (error instanceof KeyNotFoundError) return 'Hello, stranger';
      throw error;
    }
  }

  remember(user: string, greeting: string): Promise<void> {
    return this.kv.set(`greeting:${user}`, greeting);
  }
}
