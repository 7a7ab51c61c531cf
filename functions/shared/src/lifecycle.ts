/**
 * Readiness state shared by the app (`/readyz`) and `serve()` (SIGTERM): a function is ready
 * once initialised and until it starts draining.
 */
export class Lifecycle {
  #ready = false;
  #draining = false;
  readonly #shutdownHooks: { name: string; run: () => Promise<void> | void }[] = [];

  get ready(): boolean {
    return this.#ready && !this.#draining;
  }
  get draining(): boolean {
    return this.#draining;
  }
  markReady(): void {
    this.#ready = true;
  }
  startDraining(): void {
    this.#draining = true;
  }
  /** Runs at shutdown after in-flight requests finished, in reverse order of registration. */
  onShutdown(name: string, run: () => Promise<void> | void): void {
    this.#shutdownHooks.push({ name, run });
  }
  async runShutdownHooks(onError: (name: string, error: unknown) => void): Promise<void> {
    for (const hook of [...this.#shutdownHooks].reverse()) {
      try {
        await hook.run();
      } catch (error) {
        onError(hook.name, error);
      }
    }
  }
}
