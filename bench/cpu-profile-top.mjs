#!/usr/bin/env node
// @ts-check
/**
 * The top entries of a V8 CPU profile (`node --cpu-prof`), as text: time by package (self), by function
 * (self), and the inclusive time of the functions whose name or place matches a pattern (each sample
 * counted once per function, recursion included).
 *
 *   node bench/cpu-profile-top.mjs <file.cpuprofile> [top=25] [pattern]
 *
 * To profile the sample app under the benchmark's load, pass `nodeArgs: ['--cpu-prof', '--cpu-prof-dir=<dir>']`
 * to loadSampleApp (bench/sample-app-load.mjs): the profile is written when the app exits.
 */
import { readFileSync } from 'node:fs';

/** @typedef {{ functionName: string, url: string, lineNumber: number }} CallFrame */
/** @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode */
/** @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} Profile */

const [file, topText = '25', pattern] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/cpu-profile-top.mjs <file.cpuprofile> [top] [pattern]');
/** @type {Profile} */
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topText);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
/** @type {Map<number, number>} */
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** The npm package, Node's module, or the app's file a frame is in. @param {string} url */
function placeOf(url) {
  if (!url) return '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1] ?? url;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.includes('/sample-app/')) return 'sample-app';
  if (/\/dist\/(esm|cjs)\//.test(url)) return 'nestjs-dynamodb-kv';
  return url;
}
/** @param {CallFrame} frame */
const nameOf = (frame) => `${frame.functionName || '(anonymous)'} ${placeOf(frame.url)}:${frame.lineNumber + 1}`;

/** @type {Map<string, number>} */ const selfByPlace = new Map();
/** @type {Map<string, number>} */ const selfByFunction = new Map();
/** @type {Map<string, number>} */ const inclusive = new Map();
/** @param {Map<string, number>} map @param {string} key @param {number} micros */
const add = (map, key, micros) => map.set(key, (map.get(key) ?? 0) + micros);
let total = 0;
for (const [index, sample] of profile.samples.entries()) {
  const node = byId.get(sample);
  const micros = profile.timeDeltas[index + 1] ?? 0;
  if (!node || node.callFrame.functionName === '(idle)') continue;
  total += micros;
  const place = placeOf(node.callFrame.url);
  add(selfByPlace, place === '(native)' ? `(native) ${node.callFrame.functionName}` : place, micros);
  add(selfByFunction, nameOf(node.callFrame), micros);
  if (pattern === undefined) continue;
  const seen = new Set();
  for (let id = /** @type {number | undefined} */ (node.id); id !== undefined; id = parentOf.get(id)) {
    const name = nameOf(/** @type {ProfileNode} */ (byId.get(id)).callFrame);
    if (!seen.has(name)) add(inclusive, name, micros);
    seen.add(name);
  }
}

/** @param {number} micros */
const share = (micros) => `${(micros / 1000).toFixed(0).padStart(6)} ms ${((100 * micros) / total).toFixed(1).padStart(5)} %`;
/** @param {string} title @param {Map<string, number>} map */
function print(title, map) {
  console.log(`\n${title}`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${share(micros)}  ${name}`);
}
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, idle excluded`);
print('self time by package', selfByPlace);
print('self time by function', selfByFunction);
if (pattern !== undefined) print(`inclusive time of functions matching /${pattern}/`, new Map([...inclusive].filter(([name]) => new RegExp(pattern).test(name))));
