import cluster from 'node:cluster';

/**
 * The sample app on every core: `node sample-app/dist/cluster.js` (`npm run start:cluster`). The primary
 * process serves nothing itself: it starts KV_WORKERS copies of the app (main.ts), which share one port
 * (the primary accepts connections and hands them round, or the operating system does, see
 * docs/performance.md), and one store. See cluster/primary.ts for what the primary does.
 */
if (cluster.isPrimary) {
  const { runPrimary } = await import('./cluster/primary.js');
  await runPrimary();
} else {
  await import('./main.js');
}
