import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface ComposeService {
  image?: string;
  command?: string[];
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: string[];
  restart?: string;
}

/**
 * Docker cannot run on our machines, so this checks what can be checked without an engine: that the
 * compose file wires the app to DynamoDB Local, and that what the Dockerfile copies exists.
 */
describe('docker-compose.yml', () => {
  let services: Record<string, ComposeService>;

  beforeAll(async () => {
    services = (parse(await readFile(join(REPO, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> }).services;
  });

  it('runs Amazon DynamoDB Local in memory with a shared database, and without telemetry', () => {
    const local = services['dynamodb-local']!;
    expect(local.image).toMatch(/^amazon\/dynamodb-local:/);
    expect(local.command).toEqual(expect.arrayContaining(['-sharedDb', '-inMemory', '-disableTelemetry', '-port', '8000']));
  });

  it('points the app at DynamoDB Local, restarts it until that is up, and publishes the app port on this machine only', () => {
    const app = services.app!;
    expect(app.environment).toMatchObject({ DYNAMODB_ENDPOINT: 'http://dynamodb-local:8000', HOST: '0.0.0.0', PORT: '3000' });
    expect(app.depends_on).toEqual(['dynamodb-local']);
    expect(app.restart).toBe('on-failure');
    expect(app.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(services['dynamodb-local']!.ports).toEqual(['127.0.0.1:8000:8000']);
  });

  it('will not start the app without an API token from the environment', () => {
    expect(services.app!.environment?.KV_API_TOKEN).toMatch(/^\$\{KV_API_TOKEN:\?.+\}$/);
  });

  it('builds the app from files that exist in the repository', async () => {
    const build = services.app!.build!;
    const dockerfile = await readFile(join(REPO, build.context, build.dockerfile), 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (.+) \S+$/gm)].flatMap((match) => match[1]!.split(' '));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) await expect(access(join(REPO, build.context, source))).resolves.toBeUndefined();
    expect(dockerfile).toContain('CMD ["node", "sample-app/dist/main.js"]');
  });
});
