// A feature flag as the feature-flag function's staff routes give it (/api/admin/flags), and
// what the flags screen makes of it: the values of one environment, a scheduled step from its
// form, and a history entry's changes as before → after per path.

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A flagd flag definition (the parts the screen reads). */
export interface FlagDefinition {
  state?: 'ENABLED' | 'DISABLED';
  variants?: Record<string, unknown>;
  defaultVariant?: string | null;
  targeting?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  [other: string]: unknown;
}

export interface Flag {
  key: string;
  environment: Environment;
  definition: FlagDefinition;
  enabled: boolean;
  rolloutPercent: number;
  version: number;
  archived: boolean;
  updatedAt: string;
  updatedBy: string;
}

export interface HistoryChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface HistoryEntry {
  id: number;
  version: number;
  change: string;
  before: FlagDefinition | null;
  after: FlagDefinition | null;
  diff: HistoryChange[];
  changedBy: string;
  changedAt: string;
}

export interface ScheduledChange {
  id: string;
  runAt: string;
  change: { rolloutPercent?: number; state?: 'ENABLED' | 'DISABLED' };
  createdBy: string;
  status: 'pending' | 'applied' | 'failed' | 'cancelled';
  outcome: string | null;
}

/** What one environment's copy of a flag is set to, as the side-by-side view shows it. */
export interface EnvironmentValues {
  enabled: boolean;
  defaultVariant: string | null;
  variants: string[];
  /** The share of a plain two-variant rollout; null when the targeting is something else. */
  rollout: { percent: number; variant: string; otherVariant: string } | null;
  /** Targeting that is not a plain rollout (rules a rollout would replace). */
  hasRules: boolean;
}

/**
 * The values of one environment's flag, read from its definition as flagd would.
 * @example environmentValues(flag).rollout // { percent: 10, variant: 'on', otherVariant: 'off' }
 */
export function environmentValues(flag: Flag): EnvironmentValues {
  const definition = flag.definition;
  const rollout = plainRollout(definition.targeting);
  return {
    enabled: flag.enabled,
    defaultVariant: definition.defaultVariant ?? null,
    variants: Object.keys(definition.variants ?? {}),
    rollout,
    hasRules:
      !rollout &&
      definition.targeting !== undefined &&
      Object.keys(definition.targeting).length > 0,
  };
}

function plainRollout(targeting: Record<string, unknown> | undefined) {
  if (!targeting || Object.keys(targeting).length !== 1) return null;
  const buckets = targeting.fractional;
  if (!Array.isArray(buckets) || buckets.length !== 2) return null;
  const [a, b] = buckets as unknown[];
  const bucket = (x: unknown): x is [string, number] =>
    Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'number';
  if (!bucket(a) || !bucket(b) || a[1] + b[1] <= 0) return null;
  return {
    percent: Math.round((100 * a[1]) / (a[1] + b[1])),
    variant: a[0],
    otherVariant: b[0],
  };
}

/** A scheduled step as the schedule route takes it, or why the form cannot make one. */
export type ScheduleStep =
  | { ok: true; step: { at: string; rolloutPercent: number } | { at: string; state: string } }
  | { ok: false; field: 'at' | 'percent'; reason: 'missingTime' | 'notFuture' | 'badPercent' };

/**
 * One scheduled step from the schedule form: `at` is a local date and time (the browser's zone)
 * sent as an instant; `what` is `rollout` (with `percent`), `enable` or `disable`.
 * @example scheduleStep({ at: '2027-01-31T18:00', what: 'rollout', percent: '50' }, new Date())
 */
export function scheduleStep(
  form: { at: string; what: string; percent: string },
  now: Date,
): ScheduleStep {
  if (!form.at) return { ok: false, field: 'at', reason: 'missingTime' };
  const at = new Date(form.at);
  if (Number.isNaN(at.getTime())) return { ok: false, field: 'at', reason: 'missingTime' };
  if (at.getTime() <= now.getTime()) return { ok: false, field: 'at', reason: 'notFuture' };
  const iso = at.toISOString();
  if (form.what === 'enable') return { ok: true, step: { at: iso, state: 'ENABLED' } };
  if (form.what === 'disable') return { ok: true, step: { at: iso, state: 'DISABLED' } };
  const percent = Number(form.percent.trim());
  if (form.percent.trim() === '' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
    return { ok: false, field: 'percent', reason: 'badPercent' };
  }
  return { ok: true, step: { at: iso, rolloutPercent: percent } };
}

/**
 * A rollout percentage typed in a field: an integer 0–100, else undefined.
 * @example parsePercent(' 25 ') // 25
 */
export function parsePercent(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= 100
    ? value
    : undefined;
}

/**
 * A history value for a person: JSON, absent as an em dash, long values shortened.
 * @example showValue({ fractional: [['on', 10]] }) // '{"fractional":[["on",10]]}'
 */
export function showValue(value: unknown, max = 200): string {
  if (value === undefined) return '—';
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The changes of a history entry, before → after per path: the function's diff when it carries
 * the values, else worked out from the entry's before and after definitions (one per leaf).
 * @example historyChanges({ diff: [], before: { state: 'ENABLED' }, after: { state: 'DISABLED' } })
 * // [{ path: '/state', before: 'ENABLED', after: 'DISABLED' }]
 */
export function historyChanges(
  entry: Pick<HistoryEntry, 'diff' | 'before' | 'after'>,
): HistoryChange[] {
  // A diff of paths only (no values) is worked out again from the definitions.
  if (entry.diff.some((d) => 'before' in d || 'after' in d)) return entry.diff;
  return diffValues(entry.before ?? {}, entry.after ?? {}, '');
}

function diffValues(before: unknown, after: unknown, path: string): HistoryChange[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ path, after }];
  if (after === undefined) return [{ path, before }];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) =>
      diffValues(
        before[key],
        after[key],
        `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      ),
    );
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: HistoryChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i += 1) {
      changes.push(...diffValues(before[i], after[i], `${path}/${i}`));
    }
    return changes;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
