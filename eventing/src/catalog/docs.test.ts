import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { eventCatalog, renderAsyncApi, renderEventsMarkdown } from './index.js';

const eventingDir = new URL('../../', import.meta.url);
const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
const STALE = 'is out of date with the catalog: run npm run docs -w @shop/eventing';

/** What `npm run docs` writes: the rendering, formatted by Biome as the repo's check wants. */
function formatted(file: string, text: string): string {
  return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${file}`], {
    cwd: eventingDir,
    input: text,
    encoding: 'utf8',
  });
}

describe('generated catalog docs', () => {
  it('EVENTS.md matches the catalog', async () => {
    const committed = await readFile(new URL('EVENTS.md', eventingDir), 'utf8').catch(() => '');
    const fresh = formatted('EVENTS.md', renderEventsMarkdown(eventCatalog));
    expect(committed === fresh, `eventing/EVENTS.md ${STALE}`).toBe(true);
  });

  it('asyncapi.json matches the catalog', async () => {
    const committed = await readFile(new URL('asyncapi.json', eventingDir), 'utf8').catch(() => '');
    const fresh = formatted(
      'asyncapi.json',
      `${JSON.stringify(renderAsyncApi(eventCatalog), null, 2)}\n`,
    );
    expect(committed === fresh, `eventing/asyncapi.json ${STALE}`).toBe(true);
  });

  it('lists every event type in the table and in the AsyncAPI messages', () => {
    const markdown = renderEventsMarkdown(eventCatalog);
    const asyncapi = renderAsyncApi(eventCatalog) as {
      components: { messages: Record<string, unknown> };
    };
    for (const type of Object.keys(eventCatalog)) {
      expect(markdown).toContain(`## ${type}\n`);
      expect(asyncapi.components.messages).toHaveProperty([type]);
    }
  });
});
