import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoKvModule, getKvStoreToken, type KvLease, type KVStore } from '../../lib/index.js';
import { currentKvLease } from '../../lib/coordination/exclusive/exclusive-lease.context.js';
import { KvExclusive } from '../../lib/coordination/exclusive/kv-exclusive.decorator.js';
import type { DynamoKvStore } from '../../lib/store/dynamo-kv.store.js';
import { useFixture } from '../support/fixture.js';
import { LogCapture } from '../support/log-capture.js';
import { serverOptions } from '../support/store-options.js';

/** Polls `condition` every 20 ms, for 10 s at most. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !condition(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
  }
}

@Injectable()
class Cleanup {
  lease: KvLease | undefined;
  /** The reason its lease's signal gave, once the method saw it abort. */
  reason: unknown;
  finish: () => void = () => {};

  /** Runs until its signal aborts (or the test lets it finish; 10 s at most), as a method should. */
  @KvExclusive('cleanup', { ttlSeconds: 1.5, holdAtLeastSeconds: 0 })
  async cleanUp(): Promise<void> {
    const lease = currentKvLease();
    this.lease = lease;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      this.finish = () => {
        clearTimeout(timer);
        resolve();
      };
      lease.signal.addEventListener('abort', this.finish, { once: true });
    });
    this.reason = lease.signal.reason;
  }
}

describe('@KvExclusive and the end of the store: app shutdown, a closed store (a real server)', () => {
  const fixture = useFixture();

  async function start() {
    const table = await fixture.table();
    // Another instance of the app, on the same table; made first, since the last app's logger is the one Nest's Logger uses.
    const { store: other } = await fixture.storeApp({ ...serverOptions(table.name), startupCheck: 'off' });
    const logs = new LogCapture();
    const app = await fixture.app({ imports: [DynamoKvModule.forRoot({ ...serverOptions(table.name), startupCheck: 'off' })], providers: [Cleanup] }, logs);
    return { app, logs, other, cleanup: app.get(Cleanup), store: app.get<KVStore>(getKvStoreToken()) };
  }

  it('on app.close() mid-run: aborts the signal (cause shutdown), and releases the lease before the store closes', async () => {
    const { app, logs, other, cleanup } = await start();
    const run = cleanup.cleanUp();
    await until(() => cleanup.lease !== undefined, 'the run to start');
    await app.close();
    expect(cleanup.reason).toEqual(expect.objectContaining({ cause: 'shutdown' }));
    await run;
    // Released, not left to its TTL: another instance takes it at once, with the next token.
    const next = await other.acquireLease('cleanup', { ttlSeconds: 30 });
    expect(next?.token).toBe(cleanup.lease!.token + 1);
    expect(logs.lines.filter(({ level }) => level === 'warn' || level === 'error')).toEqual([]);
    expect(logs.from('KvExclusive')).toEqual([expect.objectContaining({ level: 'log', message: expect.stringMatching(/^Stopping 1 running job \('cleanup'\)/) })]);
  });

  it('when the store is closed under a run: aborts the signal (cause store-closed) and stops extending, saying so once', async () => {
    const { logs, cleanup, store } = await start();
    const run = cleanup.cleanUp();
    await until(() => cleanup.lease !== undefined, 'the run to start');
    (store as DynamoKvStore).close();
    await until(() => cleanup.lease!.signal.aborted, 'the signal to abort');
    await run;
    expect(cleanup.reason).toEqual(expect.objectContaining({ cause: 'store-closed' }));
    await sleep(1_500); // three more extension periods: nothing more is tried, nothing more is logged
    expect(logs.from('KvExclusive')).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^Job 'cleanup' can no longer extend its lease: the store is closed\. Its signal is aborted; the lease ends at /) }),
    ]);
    expect(logs.from('DynamoKvStore').filter(({ message }) => String(message).includes('KvStoreClosedError'))).toHaveLength(1);
  });
});
