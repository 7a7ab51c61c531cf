// The log as its readers see it: signed checkpoints published outside the database, RFC 6962
// proofs, and verify, which recomputes everything from the rows against what was published.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Database, Logger } from '@shop/shared';
import type { CheckpointStore } from './checkpoint-store.js';
import { entryLeafHash } from './domain/audit-record.js';
import { consistencyProof, inclusionProof, treeHead } from './domain/merkle.js';
import {
  type Checkpoint,
  NoteError,
  openCheckpoint,
  signCheckpoint,
  verifierKey,
} from './domain/signed-note.js';
import { allEntries, leafHashes, logSize } from './store.js';

/** Who signs, and as which log: the checkpoint origin doubles as the key name. */
export interface LogIdentity {
  origin: string;
  signingKey: KeyObject;
}

/** The first thing verify found that no longer matches, if anything. */
export type VerifyFinding =
  | { problem: 'entry_changed'; index: number; detail: string }
  | { problem: 'entry_missing'; index: number; detail: string }
  | { problem: 'checkpoint_mismatch'; index: number; checkpointSize: number; detail: string }
  | { problem: 'checkpoint_invalid'; checkpointSize: number; detail: string }
  | { problem: 'log_truncated'; index: number; checkpointSize: number; detail: string };

export interface VerifyReport {
  ok: boolean;
  size: number;
  checkpointsChecked: number;
  latestCheckpoint: { size: number; rootHash: string } | null;
  firstProblem: VerifyFinding | null;
}

export interface AuditLog {
  /** The verifier key (C2SP vkey) of the checkpoints. */
  readonly verifierKey: string;
  /** Signs and publishes a checkpoint of the current size (unless that size has one). */
  checkpoint(): Promise<{ note: string; checkpoint: Checkpoint; published: boolean }>;
  /** The newest published checkpoint note, or null before the first. */
  latest(): Promise<string | null>;
  inclusion(index: number, size: number): Promise<{ leafHash: Buffer; proof: Buffer[] }>;
  consistency(from: number, to: number): Promise<Buffer[]>;
  size(): Promise<number>;
  verify(): Promise<VerifyReport>;
}

/** A request for a proof the log cannot give (beyond its size); the route answers 400. */
export class ProofRangeError extends RangeError {}

/**
 * The log over `db`, publishing to `store`.
 * @example const log = createAuditLog({ db, store, identity, log }); await log.checkpoint();
 */
export function createAuditLog(options: {
  db: Database;
  store: CheckpointStore;
  identity: LogIdentity;
  log: Logger;
}): AuditLog {
  const { db, store, identity } = options;
  const publicKey = createPublicKey(identity.signingKey);
  const open = (note: string) => openCheckpoint(note, identity.origin, publicKey);

  async function published(): Promise<{ size: number; note: string }[]> {
    return store.list();
  }

  async function treeOf(size: number): Promise<Buffer[]> {
    const current = await logSize(db);
    if (size > current) throw new ProofRangeError(`the log has ${current} entries, not ${size}`);
    const leaves = await leafHashes(db, size);
    if (leaves.length !== size) throw new Error(`entries are missing below index ${size}`);
    return leaves;
  }

  return {
    verifierKey: verifierKey(identity.origin, publicKey),
    async checkpoint() {
      const size = await logSize(db);
      const leaves = await treeOf(size);
      // A new head must extend the last one published: never sign over a rewritten past.
      const last = (await published()).at(-1);
      if (last) {
        const previous = open(last.note);
        if (previous.size > size || !treeHead(leaves, 0, previous.size).equals(previous.rootHash)) {
          throw new Error(
            `the log no longer extends the checkpoint of size ${previous.size}: run verify`,
          );
        }
      }
      const checkpoint: Checkpoint = { origin: identity.origin, size, rootHash: treeHead(leaves) };
      const note = signCheckpoint(checkpoint, identity.origin, identity.signingKey);
      const isNew = await store.publish(size, note);
      if (!isNew) {
        const existing = (await published()).find((p) => p.size === size);
        return { note: existing?.note ?? note, checkpoint, published: false };
      }
      options.log.info(
        { size, root: checkpoint.rootHash.toString('base64') },
        'checkpoint published',
      );
      return { note, checkpoint, published: true };
    },
    async latest() {
      return (await published()).at(-1)?.note ?? null;
    },
    async inclusion(index, size) {
      if (index >= size) throw new ProofRangeError('index must be below size');
      const leaves = await treeOf(size);
      return { leafHash: leaves[index] as Buffer, proof: inclusionProof(leaves, index, size) };
    },
    async consistency(from, to) {
      if (from > to) throw new ProofRangeError('from must be at most to');
      return consistencyProof(await treeOf(to), from, to);
    },
    size: () => logSize(db),
    async verify() {
      const leaves: Buffer[] = [];
      let firstProblem: VerifyFinding | null = null;
      for await (const entry of allEntries(db)) {
        if (entry.index !== leaves.length) {
          firstProblem = {
            problem: 'entry_missing',
            index: leaves.length,
            detail: `entry ${leaves.length} is missing (the next stored is ${entry.index})`,
          };
          break;
        }
        const recomputed = entryLeafHash(entry);
        if (!recomputed.equals(entry.leafHash)) {
          firstProblem = {
            problem: 'entry_changed',
            index: entry.index,
            detail: `entry ${entry.index} no longer hashes to its leaf hash`,
          };
          break;
        }
        leaves.push(recomputed);
      }
      const size = await logSize(db);
      if (!firstProblem && leaves.length < size) {
        firstProblem = {
          problem: 'entry_missing',
          index: leaves.length,
          detail: `the sequencer handed out ${size} indexes, ${leaves.length} entries are stored`,
        };
      }
      const notes = await published();
      let latestCheckpoint: VerifyReport['latestCheckpoint'] = null;
      let goodSize = 0;
      let checked = 0;
      for (const { size: claimed, note } of notes) {
        let checkpoint: Checkpoint;
        try {
          checkpoint = open(note);
          if (checkpoint.size !== claimed) throw new NoteError('published under another size');
        } catch (error) {
          firstProblem ??= {
            problem: 'checkpoint_invalid',
            checkpointSize: claimed,
            detail: `the checkpoint of size ${claimed} does not verify: ${(error as Error).message}`,
          };
          break;
        }
        checked++;
        latestCheckpoint = {
          size: checkpoint.size,
          rootHash: checkpoint.rootHash.toString('base64'),
        };
        if (firstProblem) continue;
        if (checkpoint.size > leaves.length) {
          firstProblem = {
            problem: 'log_truncated',
            index: leaves.length,
            checkpointSize: checkpoint.size,
            detail: `a checkpoint covers ${checkpoint.size} entries, the log holds ${leaves.length}`,
          };
          continue;
        }
        if (!treeHead(leaves, 0, checkpoint.size).equals(checkpoint.rootHash)) {
          // The entries up to the last matching checkpoint are as published; the first that
          // differs lies after it, and at most at this checkpoint's last index.
          firstProblem = {
            problem: 'checkpoint_mismatch',
            index: goodSize,
            checkpointSize: checkpoint.size,
            detail:
              `the entries ${goodSize}…${checkpoint.size - 1} do not match the signed checkpoint ` +
              `of size ${checkpoint.size}; entries below ${goodSize} match`,
          };
          continue;
        }
        goodSize = checkpoint.size;
      }
      return {
        ok: firstProblem === null,
        size,
        checkpointsChecked: checked,
        latestCheckpoint,
        firstProblem,
      };
    },
  };
}
