import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** A page of the documentation: its path from the repository root (`README.md`, `docs/cache.md`) and its text. */
export interface DocsPage {
  path: string;
  text: string;
}

/** The pages a user reads: README.md, then every docs/*.md page, by name. */
export async function docsPages(): Promise<DocsPage[]> {
  const docs = (await readdir(join(REPO, 'docs')))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return Promise.all(['README.md', ...docs].map(docsPage));
}

/** One page, by its path from the repository root. */
export async function docsPage(path: string): Promise<DocsPage> {
  return { path, text: await readFile(join(REPO, path), 'utf8') };
}

/** The contents of every fenced block of `language` (```ts, ```bash, ...) in `text`, in order. */
export function fencedBlocks(text: string, language: string): string[] {
  const fence = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...text.matchAll(fence)].map((match) => match[1]!);
}

/**
 * Where `pattern` matches in the pages: in exactly one of them, since every snippet the tests check lives in
 * one page (the others link to it). Throws, naming `what`, when no page or several pages match.
 */
export async function findInDocs(pattern: RegExp, what: string): Promise<{ page: string; match: RegExpExecArray }> {
  const found = (await docsPages()).flatMap(({ path, text }) => {
    const match = pattern.exec(text);
    return match === null ? [] : [{ page: path, match }];
  });
  if (found.length !== 1) {
    const where = found.length === 0 ? 'no page' : found.map(({ page }) => page).join(', ');
    throw new Error(`Expected ${what} in exactly one of README.md and docs/*.md, found it in ${where}.`);
  }
  return found[0]!;
}
