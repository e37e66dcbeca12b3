import { Test } from '@nestjs/testing';
import { DynamoKvTestingModule, InMemoryKvStore, describeKvStoreContract } from 'nestjs-dynamodb-kv/testing';
import { GreetingService } from './greeting.service';

describe('GreetingService on nestjs-dynamodb-kv/testing', () => {
  it('greets strangers and remembered users', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DynamoKvTestingModule.forRoot()],
      providers: [GreetingService],
    }).compile();
    const greetings = moduleRef.get(GreetingService);
    expect(await greetings.greet('ada')).toBe('Hello, stranger');
    await greetings.remember('ada', 'Hello, Ada');
    expect(await greetings.greet('ada')).toBe('Hello, Ada');
    await moduleRef.close();
  });
});

describeKvStoreContract({ describe, it, beforeAll, afterAll }, { name: 'InMemoryKvStore in a consumer app', open: async () => new InMemoryKvStore() });
