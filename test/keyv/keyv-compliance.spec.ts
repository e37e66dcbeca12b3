import keyvTestSuite from '@keyv/test-suite';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import { afterAll, beforeAll, describe } from 'vitest';
import { KeyvKvStore } from '../../lib/keyv/index.js';
import { InMemoryKvStore } from '../../lib/testing/index.js';
import { openDynamoStore, type OpenedStore } from './keyv-subjects.js';

// Keyv's own compliance suite (@keyv/test-suite, what Keyv's adapters run), whole: its API, value and
// namespace tests. Every adapter the suite builds is a new KeyvKvStore over the same KVStore, as Keyv's
// adapters are new clients of the same server.

describe('Keyv compliance: KeyvKvStore over the DynamoDB store', () => {
  let opened: OpenedStore | undefined;
  beforeAll(async () => {
    opened = await openDynamoStore();
    console.log(`Keyv's suite runs on ${opened.server}`);
  });
  afterAll(async () => {
    await opened?.close();
  });

  keyvTestSuite(vitest, Keyv, () => new KeyvKvStore(opened!.store));
});

describe('Keyv compliance: KeyvKvStore over InMemoryKvStore', () => {
  const memory = new InMemoryKvStore();
  keyvTestSuite(vitest, Keyv, () => new KeyvKvStore(memory));
});
