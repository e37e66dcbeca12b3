import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { docsPage, fencedBlocks } from '../support/docs-pages.js';
import { useFixture } from '../support/fixture.js';

interface Step {
  command: string;
  /** What the page shows the command printing, without trailing blank lines. */
  shown: string;
}

/** The `$ command` / output pairs of the sample app's session, the first ```console block of docs/sample-app.md. */
async function sampleAppSession(): Promise<Step[]> {
  const block = fencedBlocks((await docsPage('docs/sample-app.md')).text, 'console')[0] ?? '';
  const steps: Step[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), shown: '' });
    else if (steps.length > 0) steps.at(-1)!.shown += `${line}\n`;
  }
  return steps.map(({ command, shown }) => ({ command, shown: shown.trimEnd() }));
}

/** Runs a command line of the session in bash (its pipes and $'...' quoting), and returns its standard output. */
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

/** `curl -i` output: the status line, the header lines the page shows (a selection), and the body. */
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

describe("the sample app's session, as docs/sample-app.md shows it", () => {
  const fixture = useFixture();

  it('prints what the page shows, command by command, on a fresh app (the /metrics counts included)', async () => {
    const steps = await sampleAppSession();
    expect(steps.map(({ command }) => command).find((command) => command.includes('/metrics'))).toBeDefined();
    const dataDir = await fixture.tempDir('kv-readme-session-');
    // `npm start`'s defaults: the embedded store, and the rate limit on (its reads and writes show in
    // /metrics). The key-count job stays off: its ticks come by the clock, not by the commands.
    const app = await fixture.sampleApp({ KV_DATA_DIR: dataDir, KV_RATE_LIMIT: '' });
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
