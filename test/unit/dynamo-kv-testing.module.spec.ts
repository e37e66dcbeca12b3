import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { DynamoKvHealthIndicator, InjectKvStore, KV_STORE, KeyNotFoundError, type KVStore } from '../../lib/index.js';
import { DynamoKvTestingModule, InMemoryKvStore } from '../../lib/testing/index.js';
import { useFixture } from '../support/fixture.js';

@Injectable()
class Greeter {
  constructor(
    @Inject(KV_STORE) readonly store: KVStore,
    @InjectKvStore('sessions') readonly sessions: KVStore,
  ) {}
}

describe('DynamoKvTestingModule', () => {
  const fixture = useFixture();

  it('provides in-memory stores under the tokens DynamoKvModule uses', async () => {
    const sessions = new InMemoryKvStore({ table: 'sessions' });
    const app = await fixture.app({
      imports: [DynamoKvTestingModule.forRoot(), DynamoKvTestingModule.forRoot({ name: 'sessions', store: sessions })],
      providers: [Greeter],
    });
    const greeter = app.get(Greeter);
    expect(greeter.store).toBeInstanceOf(InMemoryKvStore);
    expect(greeter.sessions).toBe(sessions);
    await greeter.store.set('k', 'v');
    await expect(greeter.store.get('k')).resolves.toBe('v');
    await expect(greeter.sessions.get('k')).rejects.toBeInstanceOf(KeyNotFoundError);
  });

  it('serves the health indicator over the in-memory store', async () => {
    const app = await fixture.app({ imports: [TerminusModule, DynamoKvTestingModule.forRoot()] });
    const indicator = await app.resolve(DynamoKvHealthIndicator);
    const result = await app.get(HealthCheckService).check([() => indicator.isHealthy('kv')]);
    expect(result).toMatchObject({ status: 'ok', details: { kv: { status: 'up', table: 'in-memory', tableStatus: 'ACTIVE' } } });
  });
});

describe('InMemoryKvStore options', () => {
  it('gives writes without ttlSeconds the default TTL, on its own clock', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new InMemoryKvStore({ now: () => now, ttl: { defaultSeconds: 60 } });
    await store.set('k', 'v');
    await store.set('longer', 'v', { ttlSeconds: 3600 });
    now += 61_000;
    await expect(store.get('k')).rejects.toMatchObject({ name: 'KeyNotFoundError', expired: true });
    await expect(store.get('longer')).resolves.toBe('v');
  });
});
