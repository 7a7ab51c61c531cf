/**
 * The offsets of one partition a Trigger has taken and not finished, so that commits stay in
 * order even when deliveries finish out of order (data-plane OffsetManager): the offset to
 * commit is the lowest unfinished one, or one past the highest taken when all are finished.
 * Offsets can be taken twice (a refetch after a rejoin), hence the counts.
 */
export class PartitionOffsets {
  readonly #inFlight = new Map<bigint, number>();
  #highestTaken = -1n;
  /** Set when queued records were given up: nothing at or past it may be committed. */
  #ceiling: bigint | undefined;
  #committed = -1n;

  take(offset: bigint): void {
    this.#inFlight.set(offset, (this.#inFlight.get(offset) ?? 0) + 1);
    if (offset > this.#highestTaken) this.#highestTaken = offset;
    if (this.#ceiling !== undefined && offset >= this.#ceiling) this.#ceiling = undefined;
  }

  /** The work of a taken record is done (delivered, dead-lettered, dropped or filtered out). */
  finish(offset: bigint): void {
    const count = this.#inFlight.get(offset);
    if (count === undefined) return;
    if (count <= 1) this.#inFlight.delete(offset);
    else this.#inFlight.set(offset, count - 1);
  }

  /** Taken records that will not be worked on here (they come again after a rejoin). */
  abandon(offsets: bigint[]): void {
    for (const offset of offsets) {
      this.finish(offset);
      if (this.#ceiling === undefined || offset < this.#ceiling) this.#ceiling = offset;
    }
  }

  /** Records taken and not finished. */
  get pending(): number {
    let total = 0;
    for (const count of this.#inFlight.values()) total += count;
    return total;
  }

  /** The next offset to read that may be committed now, or undefined when there is nothing new. */
  toCommit(): bigint | undefined {
    if (this.#highestTaken < 0n) return undefined;
    let point = this.#highestTaken + 1n;
    for (const offset of this.#inFlight.keys()) if (offset < point) point = offset;
    if (this.#ceiling !== undefined && this.#ceiling < point) point = this.#ceiling;
    return point > this.#committed ? point : undefined;
  }

  committed(offset: bigint): void {
    if (offset > this.#committed) this.#committed = offset;
  }
}
