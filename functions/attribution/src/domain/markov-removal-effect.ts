// The data-driven model: a first-order Markov chain over channel paths and each channel's
// removal effect (Anderl, Becker, von Wangenheim & Schumann, "Mapping the customer journey:
// Lessons learned from graph-based online attribution modeling", IJRM 33(3), 2016).

/** One visitor journey: its channels oldest first, and whether it ended in a purchase. */
export interface ChannelPath {
  channels: readonly string[];
  converted: boolean;
}

export interface RemovalEffects {
  /** P(conversion) of the whole chain, from the start state. */
  conversionProbability: number;
  /** Per channel: 1 − P(conversion without the channel) / P(conversion). */
  removalEffects: Map<string, number>;
  /** Per channel: its removal effect over the sum of them (the weights that sum to 1). */
  weights: Map<string, number>;
}

const START = 0;

/**
 * Builds the chain from `paths` (conversion and non-conversion paths alike: start → channels →
 * conversion or null; a channel repeated back to back counts once) and computes each
 * channel's removal effect by solving the absorption probabilities exactly (Gaussian
 * elimination with partial pivoting), with the channel's state made a dead end.
 * @example removalEffects([{ channels: ['a', 'b'], converted: true }, { channels: ['a'], converted: false }])
 */
export function removalEffects(paths: readonly ChannelPath[]): RemovalEffects {
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const path of paths) {
    for (const channel of path.channels) {
      if (!index.has(channel)) {
        index.set(channel, names.length + 1);
        names.push(channel);
      }
    }
  }
  const size = names.length + 1; // start + channels (transient); conversion and null absorb
  const counts: Map<number, number>[] = Array.from({ length: size }, () => new Map());
  const outTotals = new Array<number>(size).fill(0);
  const toConversion = new Array<number>(size).fill(0);
  for (const path of paths) {
    const states = collapse(path.channels).map((channel) => index.get(channel) as number);
    let from = START;
    for (const state of states) {
      counts[from]?.set(state, (counts[from]?.get(state) ?? 0) + 1);
      outTotals[from] = (outTotals[from] as number) + 1;
      from = state;
    }
    if (path.converted) toConversion[from] = (toConversion[from] as number) + 1;
    outTotals[from] = (outTotals[from] as number) + 1;
  }
  const probability = (removed: number | null) =>
    absorption(size, counts, outTotals, toConversion, removed);
  const base = probability(null);
  const effects = new Map<string, number>();
  for (const [position, name] of names.entries()) {
    const without = probability(position + 1);
    effects.set(name, base > 0 ? Math.max(0, 1 - without / base) : 0);
  }
  const sum = [...effects.values()].reduce((total, effect) => total + effect, 0);
  const weights = new Map<string, number>();
  for (const [name, effect] of effects) weights.set(name, sum > 0 ? effect / sum : 0);
  return { conversionProbability: base, removalEffects: effects, weights };
}

function collapse(channels: readonly string[]): string[] {
  return channels.filter(
    (channel, position) => position === 0 || channels[position - 1] !== channel,
  );
}

/** P(reaching conversion from start): x = P·x + b over the transient states, solved directly. */
function absorption(
  size: number,
  counts: readonly Map<number, number>[],
  outTotals: readonly number[],
  toConversion: readonly number[],
  removed: number | null,
): number {
  // Rows of (I − P) | b; a removed channel (or one never left) is a dead end: x = 0.
  const matrix = Array.from({ length: size }, () => new Array<number>(size + 1).fill(0));
  for (let state = 0; state < size; state += 1) {
    const row = matrix[state] as number[];
    row[state] = 1;
    const total = outTotals[state] as number;
    if (state === removed || total === 0) continue;
    for (const [to, count] of counts[state] as Map<number, number>) {
      if (to !== removed) row[to] = (row[to] as number) - count / total;
    }
    row[size] = (toConversion[state] as number) / total;
  }
  for (let column = 0; column < size; column += 1) {
    let pivot = column;
    for (let r = column + 1; r < size; r += 1) {
      if (
        Math.abs((matrix[r] as number[])[column] as number) >
        Math.abs((matrix[pivot] as number[])[column] as number)
      )
        pivot = r;
    }
    [matrix[column], matrix[pivot]] = [matrix[pivot] as number[], matrix[column] as number[]];
    const top = matrix[column] as number[];
    const lead = top[column] as number;
    if (Math.abs(lead) < 1e-15) continue;
    for (let r = 0; r < size; r += 1) {
      if (r === column) continue;
      const row = matrix[r] as number[];
      const factor = (row[column] as number) / lead;
      if (factor === 0) continue;
      for (let c = column; c <= size; c += 1)
        row[c] = (row[c] as number) - factor * (top[c] as number);
    }
  }
  const startRow = matrix[START] as number[];
  const value = (startRow[size] as number) / (startRow[START] as number);
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
