import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useFixture } from '../support/fixture.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Step {
  command: string;
  /** What the README shows the command printing, without trailing blank lines. */
  shown: string;
}

/** The `$ command` / output pairs of the sample app's session, the first ```console block of its section. */
async function readmeSession(): Promise<Step[]> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## The sample app'));
  const block = /^```console\n([\s\S]*?)^```$/m.exec(section)?.[1] ?? '';
  const steps: Step[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), shown: '' });
    else if (steps.length > 0) steps.at(-1)!.shown += `${line}\n`;
  }
  return steps.map(({ command, shown }) => ({ command, shown: shown.trimEnd() }));
}

/** Runs a README command line in bash (its pipes and $'...' quoting), and returns its standard output. */
async function bash(command: string): Promise<string> {
  const child = spawn('bash', ['-o', 'pipefail', '-c', command], { stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`\`${command}\` exited with ${code}:\n${stdout}`);
  return stdout.replaceAll('\r\n', '\n').trimEnd();
}

/** What varies from run to run (clock times, durations), and JSON key order (getMany's follows the server's). */
function comparable(line: string): unknown {
  const fixed = line
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<timestamp>')
    .replace(/"(responseTime|generationMs)":\d+/g, '"$1":0')
    .replace(/ \d+\.\d+s$/, ' <seconds>s');
  try {
    return JSON.parse(fixed) as unknown;
  } catch {
    return fixed;
  }
}

/** `curl -i` output: the status line, the header lines the README shows (a selection), and the body. */
function expectSameResponse(actual: string, shown: string): void {
  const [actualHead = '', ...actualBody] = actual.split('\n\n');
  const [shownHead = '', ...shownBody] = shown.split('\n\n');
  const [actualStatus, ...actualHeaders] = actualHead.split('\n');
  const [shownStatus, ...shownHeaders] = shownHead.split('\n');
  expect(actualStatus).toBe(shownStatus);
  const headers = new Set(actualHeaders.map((header) => header.toLowerCase()));
  for (const header of shownHeaders) expect([...headers]).toContain(header.toLowerCase());
  expect(actualBody.join('\n\n')).toBe(shownBody.join('\n\n'));
}

describe("the README's sample app session", () => {
  const fixture = useFixture();

  it('prints what the README shows, command by command, on a fresh app (the /metrics counts included)', async () => {
    const steps = await readmeSession();
    expect(steps.map(({ command }) => command).find((command) => command.includes('/metrics'))).toBeDefined();
    const dataDir = await fixture.tempDir('kv-readme-session-');
    const app = await fixture.sampleApp({ KV_DATA_DIR: dataDir }); // `npm start`'s defaults: the embedded store
    const { host } = new URL(app.baseUrl);

    for (const { command, shown } of steps) {
      const actual = await bash(command.replaceAll('localhost:3000', host));
      if (/^curl -i /.test(command)) {
        expectSameResponse(actual, shown);
        continue;
      }
      // Every line, in order: a selection (`...`) would let a count drift unnoticed.
      expect({ command, lines: actual.split('\n').map(comparable) }).toEqual({ command, lines: shown.split('\n').map(comparable) });
    }
  }, 60_000);
});
