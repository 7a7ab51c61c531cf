// Every write of a flag goes through here: in one transaction the environment's set is locked,
// the whole set is validated as flagd would load it, the flag, its history entry, the revision
// and the `shop.flag.changed` outbox event are written; after the commit the instances reload.
import { type IfMatch, Problem, type Queryable } from '@shop/shared';
import { diffJson } from './domain/diff-json.js';
import type { Environment, FlagDefinition, FlagSetDocument, Json } from './domain/flag-types.js';
import { rolloutPercentOf } from './domain/set-rollout.js';
import { type FlagSetError, validateFlagSet } from './domain/validate-flag-set.js';
import type { FeatureFlagEvents } from './events.js';
import {
  appendHistory,
  bumpRevision,
  type FlagRow,
  getFlag,
  listFlags,
  readFlagSetRow,
  toDocument,
  writeFlag,
} from './store.js';

/** What a write needs besides the database. */
export interface FlagWriter {
  events: FeatureFlagEvents;
  clock: () => Date;
}

/** One flag change, computed from the stored flag (null: there is none, or it is archived). */
export interface FlagChange {
  environment: Environment;
  key: string;
  by: string;
  ifMatch: IfMatch;
  /** `create` refuses a live flag (409), `update` a missing one (404). */
  mode: 'create' | 'update';
  apply: (current: FlagDefinition | null) => { definition: FlagDefinition; archived?: boolean };
}

/** The outcome of a write. */
export interface FlagWritten {
  flag: FlagRow;
  revision: number;
  changed: boolean;
}

/**
 * Applies one change in the caller's transaction; throws a Problem (400, 404, 409, 412).
 * @example await db.transaction((tx) => changeFlag(tx, writer, { environment: 'dev', key, by, ifMatch, mode: 'update', apply: (d) => ({ definition: { ...d!, state: 'DISABLED' } }) }));
 */
export async function changeFlag(
  tx: Queryable,
  writer: FlagWriter,
  change: FlagChange,
): Promise<FlagWritten> {
  const { environment, key } = change;
  const set = await readFlagSetRow(tx, environment, true);
  const current = await getFlag(tx, environment, key, true);
  const live = current && current.archivedAt === null ? current : null;
  if (change.mode === 'create' && live) {
    throw new Problem(409, `A flag "${key}" exists in ${environment}.`, {
      currentVersion: live.version,
    });
  }
  if (change.mode === 'update' && !live)
    throw new Problem(404, `No flag "${key}" in ${environment}.`);
  checkIfMatch(change.ifMatch, live);
  const next = change.apply(live?.definition ?? null);
  const archived = next.archived ?? false;
  const flags = await listFlags(tx, environment);
  const others = flags.filter((flag) => flag.key !== key);
  if (!archived) {
    const document = toDocument(set, others);
    document.flags[key] = next.definition;
    assertValid(document);
  }
  const unchanged =
    live !== null && !archived && canonical(live.definition) === canonical(next.definition);
  if (unchanged) return { flag: live, revision: set.revision, changed: false };
  const now = writer.clock();
  const version = (current?.version ?? 0) + 1;
  const kind = archived ? 'archived' : live ? 'updated' : 'created';
  const flag = await writeFlag(tx, {
    environment,
    key,
    definition: next.definition,
    version,
    archived,
    by: change.by,
    now,
  });
  const before = live?.definition ?? null;
  const diff = diffJson(
    (before as Json | null) ?? undefined,
    archived ? undefined : (next.definition as unknown as Json),
  );
  await appendHistory(tx, {
    environment,
    key,
    version,
    change: kind,
    before,
    after: archived ? null : next.definition,
    diff,
    by: change.by,
    now,
  });
  await recordChanged(tx, writer, { environment, flag, kind, diff: diff.map((d) => d.path), now });
  const revision = await bumpRevision(tx, environment, now);
  return { flag, revision, changed: true };
}

/** What an import did, flag by flag. */
export interface ImportResult {
  revision: number;
  created: string[];
  updated: string[];
  archived: string[];
  unchanged: string[];
}

/**
 * Replaces an environment's flag set with a flagd document: new flags are created, changed
 * ones updated, missing ones archived, `$evaluators` and `metadata` replaced; one revision.
 */
export async function importFlagSet(
  tx: Queryable,
  writer: FlagWriter,
  input: { environment: Environment; document: unknown; by: string; ifMatch: IfMatch },
): Promise<ImportResult> {
  const document = assertValid(input.document);
  const { environment } = input;
  const set = await readFlagSetRow(tx, environment, true);
  if (input.ifMatch.kind === 'versions' && !input.ifMatch.versions.includes(set.revision)) {
    throw new Problem(412, `The ${environment} flag set changed since you read it.`, {
      currentRevision: set.revision,
    });
  }
  const existing = new Map(
    (await listFlags(tx, environment, { includeArchived: true })).map((f) => [f.key, f]),
  );
  const now = writer.clock();
  const result: ImportResult = {
    revision: set.revision,
    created: [],
    updated: [],
    archived: [],
    unchanged: [],
  };
  const write = async (key: string, definition: FlagDefinition, archived: boolean) => {
    const current = existing.get(key);
    const live = current && current.archivedAt === null ? current : null;
    if (!archived && live && canonical(live.definition) === canonical(definition)) {
      result.unchanged.push(key);
      return;
    }
    const version = (current?.version ?? 0) + 1;
    const kind = archived ? 'archived' : live ? 'updated' : 'created';
    const flag = await writeFlag(tx, {
      environment,
      key,
      definition,
      version,
      archived,
      by: input.by,
      now,
    });
    const diff = diffJson(
      (live?.definition as unknown as Json) ?? undefined,
      archived ? undefined : (definition as unknown as Json),
    );
    await appendHistory(tx, {
      environment,
      key,
      version,
      change: archived ? 'archived' : 'imported',
      before: live?.definition ?? null,
      after: archived ? null : definition,
      diff,
      by: input.by,
      now,
    });
    await recordChanged(tx, writer, {
      environment,
      flag,
      kind,
      diff: diff.map((d) => d.path),
      now,
    });
    result[kind].push(key);
  };
  for (const [key, definition] of Object.entries(document.flags))
    await write(key, definition, false);
  for (const [key, flag] of existing) {
    if (flag.archivedAt === null && !Object.hasOwn(document.flags, key)) {
      await write(key, flag.definition, true);
    }
  }
  result.revision = await bumpRevision(tx, environment, now, {
    evaluators: (document.$evaluators ?? {}) as Record<string, Json>,
    metadata: document.metadata ?? {},
  });
  return result;
}

/** Validates a whole document, or throws the 400 naming each flag and path. */
export function assertValid(document: unknown): FlagSetDocument {
  const validation = validateFlagSet(document);
  if (validation.ok) return validation.document;
  throw invalidDefinition(validation.errors);
}

/** The 400 of a definition flagd would refuse. */
export function invalidDefinition(errors: FlagSetError[]): Problem {
  const first = errors[0];
  const where = first
    ? `${first.flag ? `flag "${first.flag}"` : 'the flag set'} at ${first.path || '/'}`
    : '';
  return new Problem(400, `Not a valid flagd definition: ${where}: ${first?.message ?? ''}`, {
    type: 'https://shop.example/problems/invalid-flag-definition',
    title: 'Invalid flag definition',
    errors: errors.map((error) => ({
      name: error.path || '/',
      reason: error.message,
      flag: error.flag,
    })),
  });
}

function checkIfMatch(ifMatch: IfMatch, live: FlagRow | null): void {
  if (ifMatch.kind === 'missing' || ifMatch.kind === 'any') return;
  if (!live || !ifMatch.versions.includes(live.version)) {
    throw new Problem(412, 'The flag changed since you read it: read it again.', {
      ...(live && { currentVersion: live.version }),
    });
  }
}

async function recordChanged(
  tx: Queryable,
  writer: FlagWriter,
  input: {
    environment: Environment;
    flag: FlagRow;
    kind: 'created' | 'updated' | 'archived';
    diff: string[];
    now: Date;
  },
): Promise<void> {
  const { flag } = input;
  await writer.events.write(tx, {
    type: 'shop.flag.changed',
    subject: flag.key,
    data: {
      flagKey: flag.key,
      environment: input.environment,
      change: input.kind,
      changedFields: input.diff.slice(0, 100).map((path) => path.slice(0, 500) || '/'),
      enabled: input.kind !== 'archived' && flag.definition.state === 'ENABLED',
      rolloutPercent: rolloutPercentOf(flag.definition),
      version: flag.version,
      changedBy: flag.updatedBy,
      changedAt: input.now.toISOString(),
    },
  });
}

/** JSON with object keys sorted: jsonb reorders keys, so equality compares this. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
