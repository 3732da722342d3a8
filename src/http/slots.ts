/**
 * Admission without waiting: counts work in progress per key (a workspace)
 * against a per-key and an overall limit. A caller that finds no slot is
 * refused at once rather than queued, so one key's backlog never delays
 * another key's work.
 */
export class Slots {
  readonly #byKey = new Map<string, number>();
  #inUse = 0;

  constructor(
    readonly total: number,
    readonly perKey: number,
  ) {}

  /** A slot for `key`, as the function that gives it back (once); undefined when full. */
  tryTake(key: string): (() => void) | undefined {
    const held = this.#byKey.get(key) ?? 0;
    if (held >= this.perKey || this.#inUse >= this.total) return undefined;
    this.#byKey.set(key, held + 1);
    this.#inUse += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= 1;
      const left = (this.#byKey.get(key) ?? 1) - 1;
      if (left === 0) this.#byKey.delete(key);
      else this.#byKey.set(key, left);
    };
  }

  /** Slots in use (for tests and status). */
  inUse(key?: string): number {
    return key === undefined ? this.#inUse : (this.#byKey.get(key) ?? 0);
  }
}
