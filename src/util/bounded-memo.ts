/**
 * Values of a pure function by key, the `capacity` most recently used kept: for results costly to make
 * and asked for again with the same key (e.g. the window operator's factored matrices, one per geometry
 * and wavelength, which every model of that geometry builds).
 */
export class BoundedMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`BoundedMemo: capacity must be a positive integer, got ${capacity}`);
  }

  /** The value for `key`, made by `make` when it is not held (then the least recently used one is dropped past capacity). */
  get(key: string, make: () => V): V {
    const held = this.values.get(key);
    if (held !== undefined || this.values.has(key)) {
      // Re-inserted: a Map iterates in insertion order, so the first key is always the least recently used.
      this.values.delete(key);
      this.values.set(key, held as V);
      return held as V;
    }
    const value = make();
    this.values.set(key, value);
    if (this.values.size > this.capacity) this.values.delete(this.values.keys().next().value as string);
    return value;
  }

  get size(): number {
    return this.values.size;
  }
}
