import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDirectoryCheckpointStore, createMemoryCheckpointStore } from './checkpoint-store.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe.each([
  [
    'a directory',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'audit-store-'));
      dirs.push(dir);
      return { store: createDirectoryCheckpointStore(dir), dir };
    },
  ],
  ['memory', async () => ({ store: createMemoryCheckpointStore(), dir: undefined })],
])('the checkpoint store in %s', (_, make) => {
  it('never overwrites a published size and lists by size', async () => {
    const { store } = await make();
    expect(await store.publish(10, 'ten\n')).toBe(true);
    expect(await store.publish(2, 'two\n')).toBe(true);
    expect(await store.publish(10, 'forged\n')).toBe(false);
    expect(await store.list()).toEqual([
      { size: 2, note: 'two\n' },
      { size: 10, note: 'ten\n' },
    ]);
  });
});

describe('the directory store', () => {
  it('ignores files that are not checkpoints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-store-'));
    dirs.push(dir);
    await writeFile(join(dir, 'README'), 'not a checkpoint');
    const store = createDirectoryCheckpointStore(dir);
    await store.publish(1, 'one\n');
    expect((await store.list()).map((c) => c.size)).toEqual([1]);
  });
});
