// The flags every bench accepts, so `npm run bench -- all --smoke` means the same to each.

export interface BenchFlags {
  /** Seconds per measured phase (`--duration N`). */
  durationSeconds?: number;
  /** Concurrent connections (`--connections N`). */
  connections?: number;
  /** Seconds of uncounted warm-up per target (`--warmup N`). */
  warmupSeconds?: number;
  /** `--smoke`: 2 s phases and a 1 s warm-up — proves the bench runs, measures little. */
  smoke: boolean;
  /** Arguments that are not flags (the runner's bench names). */
  positional: string[];
}

const NUMERIC = {
  '--duration': 'durationSeconds',
  '--connections': 'connections',
  '--warmup': 'warmupSeconds',
} as const;

/**
 * Parses `--duration N`, `--connections N`, `--warmup N` (also `--flag=N`) and `--smoke`.
 * @example parseFlags(['offer', '--duration', '5']) // { durationSeconds: 5, smoke: false, positional: ['offer'] }
 */
export function parseFlags(argv: readonly string[]): BenchFlags {
  const flags: BenchFlags = { smoke: false, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--smoke') {
      flags.smoke = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      flags.positional.push(arg);
      continue;
    }
    const [name, inline] = arg.split('=', 2) as [string, string | undefined];
    const key = NUMERIC[name as keyof typeof NUMERIC];
    if (!key)
      throw new Error(`unknown flag ${name} (known: --smoke, ${Object.keys(NUMERIC).join(', ')})`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    const valid = key === 'connections' ? Number.isInteger(value) && value >= 1 : value > 0;
    if (raw === undefined || !Number.isFinite(value) || !valid) {
      throw new Error(
        `${name} needs a positive ${key === 'connections' ? 'integer' : 'number'}, got ${raw ?? 'nothing'}`,
      );
    }
    flags[key] = value;
  }
  return flags;
}

export interface PhaseOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  smoke: boolean;
}

/** The flags over a bench's own defaults; `--smoke` shortens phases unless `--duration` is given. */
export function phaseOptions(
  flags: BenchFlags,
  defaults: { durationSeconds: number; warmupSeconds: number; connections: number },
): PhaseOptions {
  return {
    durationSeconds: flags.durationSeconds ?? (flags.smoke ? 2 : defaults.durationSeconds),
    warmupSeconds: flags.warmupSeconds ?? (flags.smoke ? 1 : defaults.warmupSeconds),
    connections: flags.connections ?? defaults.connections,
    smoke: flags.smoke,
  };
}
