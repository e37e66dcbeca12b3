// @ts-check
/** One measured run: a fixed number of operations by a number of concurrent callers. */

/**
 * @typedef {{ opsPerSecond: number, cpuMicrosPerOp: number, p50Ms: number, p99Ms: number, peakRssMb: number }} RunResult
 */

/**
 * Runs `op` `ops` times from `callers` concurrent loops (after `warmup` unmeasured calls) and measures
 * throughput, this process's CPU per operation (user + system), latency percentiles and peak RSS.
 * @param {(index: number) => Promise<unknown>} op @param {{ ops: number, callers: number, warmup: number }} plan
 * @returns {Promise<RunResult>}
 */
export async function measure(op, { ops, callers, warmup }) {
  await runLoops(op, warmup, callers, undefined);
  const latencies = new Float64Array(ops);
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await runLoops(op, ops, callers, latencies);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  latencies.sort();
  const at = (/** @type {number} */ quantile) => latencies[Math.min(ops - 1, Math.floor(quantile * ops))] ?? 0;
  return {
    opsPerSecond: ops / seconds,
    cpuMicrosPerOp: (cpu.user + cpu.system) / ops,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    peakRssMb: peakRss / 1024 / 1024,
  };
}

/**
 * @param {(index: number) => Promise<unknown>} op @param {number} ops @param {number} callers
 * @param {Float64Array | undefined} latencies
 */
async function runLoops(op, ops, callers, latencies) {
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let index = next++; index < ops; index = next++) {
        const started = performance.now();
        await op(index);
        if (latencies) latencies[index] = performance.now() - started;
      }
    }),
  );
}

/**
 * The median of each field over runs of one case.
 * @param {RunResult[]} runs @returns {RunResult}
 */
export function median(runs) {
  const mid = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return {
    opsPerSecond: mid(runs.map((run) => run.opsPerSecond)),
    cpuMicrosPerOp: mid(runs.map((run) => run.cpuMicrosPerOp)),
    p50Ms: mid(runs.map((run) => run.p50Ms)),
    p99Ms: mid(runs.map((run) => run.p99Ms)),
    peakRssMb: mid(runs.map((run) => run.peakRssMb)),
  };
}
