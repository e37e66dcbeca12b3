import cluster, { type Address, type Worker } from 'node:cluster';
import { pino, type Logger } from 'pino';
import { readSampleConfig, type SampleConfig } from '../sample.config.js';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../storage/embedded-dynamodb.js';
import { clusterSettings, RESTARTS_PER_MINUTE, type ClusterSettings } from './cluster-settings.js';
import { RestartBudget } from './restart-budget.js';

/**
 * Starts the workers and keeps them running: with the embedded store, runs the one dynalite (a data
 * folder takes one) and hands its endpoint to every worker; replaces a worker that dies (at a bounded
 * rate); on SIGTERM or SIGINT stops them all within KV_SHUTDOWN_TIMEOUT_MS. Logs JSON lines like the
 * workers', with `context: "Cluster"`; the workers' lines carry `worker`, their cluster id.
 */
export async function runPrimary(): Promise<void> {
  let config: SampleConfig;
  let settings: ClusterSettings;
  try {
    config = readSampleConfig(process.env);
    settings = clusterSettings(process.env, config.timeouts.shutdownMs);
  } catch (error) {
    return failedToStart(error);
  }
  const log = pino({ level: config.logLevel }).child({ context: 'Cluster' });
  let embedded: EmbeddedDynamoDb | undefined;
  if (config.storage.kind === 'embedded') {
    try {
      embedded = await startEmbeddedDynamoDb(config.storage.dataDir);
    } catch (error) {
      return failedToStart(error);
    }
    log.info(`Started the embedded DynamoDB-compatible store (dynalite), data in ${config.storage.dataDir}, for all ${settings.workers} workers.`);
  }
  new Primary(settings, log, embedded).start();
}

class Primary {
  private readonly live = new Set<Worker>();
  private readonly listening = new Set<number>();
  private readonly restarts = new RestartBudget(RESTARTS_PER_MINUTE, 60_000);
  private readonly pendingForks = new Set<NodeJS.Timeout>();
  private readonly workerEnv: Record<string, string>;
  /** Whether a worker has listened yet: until then a worker's exit is a failed start, not a crash. */
  private started = false;
  private announced = false;
  private stopping = false;
  private allExited: () => void = () => {};

  constructor(
    private readonly settings: ClusterSettings,
    private readonly log: Logger,
    private readonly embedded: EmbeddedDynamoDb | undefined,
  ) {
    this.workerEnv = {
      KV_SHUTDOWN_TIMEOUT_MS: String(settings.workerShutdownMs),
      ...(embedded === undefined ? {} : { DYNAMODB_ENDPOINT: embedded.endpoint }),
    };
  }

  start(): void {
    cluster.on('listening', (worker, address) => this.onListening(worker, address));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void this.stop(signal, 0));
    // One first, alone: it creates the table when there is none, which several at once would all try.
    this.fork();
  }

  private fork(): void {
    const worker = cluster.fork(this.workerEnv);
    this.live.add(worker);
    this.log.info({ worker: worker.id }, `Started worker ${worker.id} (pid ${worker.process.pid}).`);
  }

  private onListening(worker: Worker, address: Address): void {
    // A worker listening on 'localhost' listens twice (IPv4 and IPv6): count it once.
    if (this.listening.has(worker.id)) return;
    this.listening.add(worker.id);
    this.log.info({ worker: worker.id }, `Worker ${worker.id} (pid ${worker.process.pid}) is listening.`);
    if (!this.started) {
      this.started = true;
      for (let count = 1; count < this.settings.workers; count += 1) this.fork();
    }
    if (!this.announced && this.listening.size === this.settings.workers) {
      this.announced = true;
      const host = address.addressType === 6 ? `[${address.address}]` : address.address;
      this.log.info({ workers: this.settings.workers }, `Listening on http://${host}:${address.port}`);
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    this.live.delete(worker);
    this.listening.delete(worker.id);
    if (this.stopping) {
      if (this.live.size === 0) this.allExited();
      return;
    }
    const how = signal === null ? `code ${code}` : signal;
    if (!this.started) {
      this.log.error({ worker: worker.id }, `Worker ${worker.id} exited (${how}) before the app listened: stopping.`);
      void this.stop('Failed start', 1);
      return;
    }
    const delayMs = this.restarts.book(Date.now());
    const when = delayMs === 0 ? 'now' : `in ${Math.ceil(delayMs / 1000)} s (at most ${RESTARTS_PER_MINUTE} replacements a minute)`;
    this.log.warn({ worker: worker.id }, `Worker ${worker.id} (pid ${worker.process.pid}) exited (${how}): starting a replacement ${when}.`);
    const timer = setTimeout(() => {
      this.pendingForks.delete(timer);
      this.fork();
    }, delayMs);
    this.pendingForks.add(timer);
  }

  /**
   * Stops every worker within the bound: each gets SIGTERM and shuts down by itself (main.ts), within
   * a slightly smaller bound; any still running near the end is killed; then the embedded store stops.
   */
  private async stop(reason: string, exitCode: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { shutdownMs, killAfterMs } = this.settings;
    // Whatever happens below, the process ends within the bound (workers die with their primary).
    setTimeout(() => process.exit(exitCode), shutdownMs);
    for (const timer of this.pendingForks) clearTimeout(timer);
    this.log.info(`${reason}: stopping ${this.live.size} workers (at most ${shutdownMs} ms).`);
    const exited = new Promise<void>((resolve) => {
      this.allExited = resolve;
      if (this.live.size === 0) resolve();
    });
    for (const worker of this.live) worker.process.kill('SIGTERM');
    const kill = setTimeout(() => {
      this.log.warn(`Workers still running after ${killAfterMs} ms: killing them.`);
      for (const worker of this.live) worker.process.kill('SIGKILL');
    }, killAfterMs);
    await exited;
    clearTimeout(kill);
    await this.embedded?.stop();
    this.log.info('All workers stopped.');
    process.exit(exitCode);
  }
}

function failedToStart(error: unknown): void {
  // The same clear line as main.ts: most start-up failures are configuration.
  console.error(`The sample app could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
