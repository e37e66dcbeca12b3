// @ts-check
/** bench/results.md: the machine, the figures, and the targets checked against them. */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

// Read from node_modules: not every package exports its package.json.
const version = (/** @type {string} */ name) =>
  /** @type {{ version: string }} */ (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'))).version;

/** @param {number} value @param {number} digits */
const fixed = (value, digits = 0) => value.toFixed(digits);

/**
 * @typedef {import('./measure.mjs').RunResult & { op: string, callers: number, variant: string }} Row
 * @typedef {import('./sample-app-load.mjs').LoadResult} LoadResult
 * @typedef {import('./measure.mjs').RunResult & { op: string, callers: number, variant: string }} KeyvRow
 * @typedef {{ results: Array<{ server: string, rows: Row[], keyv: KeyvRow[] }>, sampleApp: { server: string, off: Record<'GET' | 'PUT', LoadResult>, on: Record<'GET' | 'PUT', LoadResult> }, memory: { earlyMb: number, lateMb: number, ops: number, gc: boolean }, ops: number, rounds: number }} Report
 */

/** @param {Row[]} rows @param {Row} row */
function rawOf(rows, row) {
  return rows.find((candidate) => candidate.op === row.op && candidate.callers === row.callers && candidate.variant === 'raw SDK') ?? row;
}

/** @param {Row[]} rows @param {string} op @param {number} callers @param {string} variant */
function find(rows, op, callers, variant) {
  return rows.find((row) => row.op === op && row.callers === callers && row.variant === variant);
}

/** @param {Report} report */
function targets(report) {
  /** @type {Array<[string, string, boolean]>} */
  const checks = [];
  for (const { server, rows } of report.results) {
    for (const row of rows.filter((candidate) => candidate.variant === 'batching off')) {
      const ratio = row.cpuMicrosPerOp / rawOf(rows, row).cpuMicrosPerOp;
      checks.push([`${server}: batching off, ${row.op} ×${row.callers}, client CPU per op ≤ 1.05 × raw SDK`, `${fixed(ratio, 2)} ×`, ratio <= 1.05]);
    }
    const instant = server.startsWith('instant');
    for (const [op, minimum] of /** @type {Array<[string, number]>} */ ([['get', instant ? 12 : 4], ...(instant ? [['set', 4]] : [])])) {
      const on = find(rows, op, 64, 'batching on');
      const raw = find(rows, op, 64, 'raw SDK');
      if (!on || !raw) continue;
      const ratio = on.opsPerSecond / raw.opsPerSecond;
      checks.push([`${server}: batching on, ${op} ×64, ops/s ≥ ${minimum} × raw SDK`, `${fixed(ratio, 1)} ×`, ratio >= minimum]);
    }
    for (const op of ['get', 'set']) {
      const on = find(rows, op, 1, 'batching on');
      const off = find(rows, op, 1, 'batching off');
      if (!on || !off) continue;
      const ratio = on.p50Ms / off.p50Ms;
      checks.push([`${server}: batching on, ${op} ×1, p50 ≤ 1.05 × batching off`, `${fixed(ratio, 2)} ×`, ratio <= 1.05]);
    }
  }
  for (const { server, keyv } of report.results) {
    for (const op of ['get', 'set']) {
      const ours = find(keyv, op, 64, 'KeyvKvStore');
      const theirs = find(keyv, op, 64, '@keyv/dynamo');
      if (!ours || !theirs) continue;
      const ratio = ours.opsPerSecond / theirs.opsPerSecond;
      checks.push([`${server}: Keyv ${op} ×64, KeyvKvStore ops/s ≥ 3 × @keyv/dynamo`, `${fixed(ratio, 1)} ×`, ratio >= 3]);
    }
  }
  const { off, on } = report.sampleApp;
  for (const [method, minimum] of /** @type {Array<['GET' | 'PUT', number]>} */ ([['GET', 3], ['PUT', 2]])) {
    const ratio = on[method].requestsPerSecond / off[method].requestsPerSecond;
    checks.push([`sample app, ${method} at 64 connections ≥ ${minimum} × batching off`, `${fixed(ratio, 1)} ×`, ratio >= minimum]);
  }
  const growth = report.memory.lateMb - report.memory.earlyMb;
  checks.push([`RSS after ${report.memory.ops.toLocaleString('en')} gets within 30 MB of RSS after 10,000`, `${fixed(growth, 1)} MB`, growth <= 30]);
  return checks;
}

/** @param {Report} report @returns {string} */
export function resultsMarkdown(report) {
  const cpu = cpus();
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${fixed(totalmem() / 2 ** 30)} GiB; Node ${process.version}; @aws-sdk/client-dynamodb ${version('@aws-sdk/client-dynamodb')}; ` +
      `@nestjs/core ${version('@nestjs/core')}. ${report.ops} operations a run, 100-byte values, rounds interleaved, median of ${report.rounds}.`,
    'Client CPU is this process\'s user + system time per operation; servers run in processes of their own.',
    '',
  ];
  for (const { server, rows } of report.results) {
    lines.push(`## ${server}`, '', '| op | callers | variant | ops/s | × raw SDK | client CPU µs/op | CPU × raw SDK | p50 ms | p99 ms | peak RSS MB |', '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of rows) {
      const raw = rawOf(rows, row);
      lines.push(
        `| ${row.op} | ${row.callers} | ${row.variant} | ${fixed(row.opsPerSecond)} | ${fixed(row.opsPerSecond / raw.opsPerSecond, 2)} | ` +
          `${fixed(row.cpuMicrosPerOp)} | ${fixed(row.cpuMicrosPerOp / raw.cpuMicrosPerOp, 2)} | ${fixed(row.p50Ms, 2)} | ${fixed(row.p99Ms, 2)} | ${fixed(row.peakRssMb)} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    `## Keyv: KeyvKvStore (the store, batching on) against @keyv/dynamo ${version('@keyv/dynamo')}, both through keyv ${version('keyv')}`,
    '',
    'Every call checks its answer (Keyv would turn a failure into a miss or `false`). 100-character values, stored as Keyv serializes them (with its expiry).',
    '',
  );
  for (const { server, keyv } of report.results) {
    lines.push(`### ${server}`, '', '| op | callers | adapter | ops/s | × @keyv/dynamo | client CPU µs/op | p50 ms | p99 ms |', '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const row of keyv) {
      const theirs = find(keyv, row.op, row.callers, '@keyv/dynamo') ?? row;
      lines.push(
        `| ${row.op} | ${row.callers} | ${row.variant} | ${fixed(row.opsPerSecond)} | ${fixed(row.opsPerSecond / theirs.opsPerSecond, 2)} | ` +
          `${fixed(row.cpuMicrosPerOp)} | ${fixed(row.p50Ms, 2)} | ${fixed(row.p99Ms, 2)} |`,
      );
    }
    lines.push('');
  }
  const { sampleApp, memory } = report;
  lines.push(
    `## The sample app under HTTP load (autocannon, 64 connections, 5 s, random keys of 1000; store on the ${sampleApp.server}; request logs off)`,
    '',
    '| request | batching | requests/s | × batching off | p50 ms | p99 ms | app CPU µs/request | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const method of /** @type {const} */ (['GET', 'PUT'])) {
    for (const [label, result] of /** @type {const} */ ([['off', sampleApp.off[method]], ['on', sampleApp.on[method]]])) {
      lines.push(
        `| ${method} | ${label} | ${fixed(result.requestsPerSecond)} | ${fixed(result.requestsPerSecond / sampleApp.off[method].requestsPerSecond, 2)} | ` +
          `${fixed(result.p50Ms, 1)} | ${fixed(result.p99Ms, 1)} | ${fixed(result.serverCpuMicrosPerRequest)} | ${result.errors} |`,
      );
    }
  }
  lines.push(
    '',
    '## Memory',
    '',
    `RSS after 10,000 gets: ${fixed(memory.earlyMb, 1)} MB; after ${memory.ops.toLocaleString('en')}: ${fixed(memory.lateMb, 1)} MB` +
      ` (batching on, 64 callers${memory.gc ? ', each after a full GC' : ''}).`,
    '',
    '## Targets',
    '',
    '| target | measured | met |',
    '| --- | ---: | --- |',
    ...targets(report).map(([target, measured, met]) => `| ${target} | ${measured} | ${met ? 'yes' : '**no**'} |`),
    '',
  );
  return lines.join('\n');
}
