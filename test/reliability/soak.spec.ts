import { fileURLToPath } from 'node:url';
import { run } from '../support/run-command.js';

const SOAK = fileURLToPath(new URL('./soak.mjs', import.meta.url));

interface Snapshot {
  fileDescriptors: number;
  activeResources: number;
  timers: number;
  heapMb: number;
}

describe('soak: a million gets and sets, batching on, against an instant server', () => {
  // The instant server is the same whatever DYNAMODB_ENDPOINT names: the soak runs once, in the default run.
  const soak = process.env.DYNAMODB_ENDPOINT ? it.skip : it;
  if (process.env.DYNAMODB_ENDPOINT) console.log('soak skipped: it runs against its own instant server, in the run without DYNAMODB_ENDPOINT.');

  soak('grows neither sockets, nor timers, nor the heap beyond small bounds', async () => {
    const result = await run(process.execPath, ['--expose-gc', SOAK], process.cwd(), { limitMs: 240_000 });
    const line = result.output.split('\n').find((candidate) => candidate.startsWith('{"operations"'));
    expect(line).toBeDefined();
    const { operations, seconds, early, late } = JSON.parse(line!) as { operations: number; seconds: number; early: Snapshot; late: Snapshot };
    console.log(`soak: ${operations} operations in ${seconds.toFixed(1)} s; after a tenth ${JSON.stringify(early)}, at the end ${JSON.stringify(late)}`);
    expect(late.fileDescriptors).toBeLessThanOrEqual(early.fileDescriptors + 2);
    expect(late.activeResources).toBeLessThanOrEqual(early.activeResources + 2);
    expect(late.timers).toBeLessThanOrEqual(early.timers + 2);
    expect(late.heapMb - early.heapMb).toBeLessThan(10);
  }, 300_000);
});
