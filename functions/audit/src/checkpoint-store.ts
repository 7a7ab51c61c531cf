// Where signed checkpoints are published, outside the log's own database: a rewrite of the
// database cannot reach them. An append-only directory here; a bucket (object lock, write-once
// keys) implements the same interface.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An append-only home for signed checkpoints, one per tree size. */
export interface CheckpointStore {
  /** Publishes a note for `size`; a size already published is never overwritten (false). */
  publish(size: number, note: string): Promise<boolean>;
  /** Every published note, smallest size first. */
  list(): Promise<{ size: number; note: string }[]>;
}

const FILE = /^checkpoint-(\d{20})$/;

/**
 * Checkpoints as files `checkpoint-<size, 20 digits>` in a directory, each created exclusively
 * (O_EXCL), never rewritten.
 * @example const store = createDirectoryCheckpointStore('/var/lib/audit/checkpoints');
 */
export function createDirectoryCheckpointStore(dir: string): CheckpointStore {
  const ready = mkdir(dir, { recursive: true });
  return {
    async publish(size, note) {
      await ready;
      try {
        await writeFile(join(dir, `checkpoint-${String(size).padStart(20, '0')}`), note, {
          flag: 'wx',
        });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    },
    async list() {
      await ready;
      const names = (await readdir(dir)).filter((name) => FILE.test(name)).sort();
      return Promise.all(
        names.map(async (name) => ({
          size: Number(FILE.exec(name)?.[1]),
          note: await readFile(join(dir, name), 'utf8'),
        })),
      );
    },
  };
}

/** Checkpoints in memory: dev on the embedded database and tests. */
export function createMemoryCheckpointStore(): CheckpointStore {
  const notes = new Map<number, string>();
  return {
    async publish(size, note) {
      if (notes.has(size)) return false;
      notes.set(size, note);
      return true;
    },
    async list() {
      return [...notes.entries()].sort(([a], [b]) => a - b).map(([size, note]) => ({ size, note }));
    },
  };
}
