/** A tiny typed event emitter: `on` returns the function that unsubscribes. */
export class Emitter<Events extends Record<string, unknown>> {
  private readonly map = new Map<keyof Events, Set<(v: never) => void>>();

  on<K extends keyof Events>(name: K, cb: (v: Events[K]) => void): () => void {
    let set = this.map.get(name);
    if (set === undefined) {
      set = new Set();
      this.map.set(name, set);
    }
    set.add(cb as (v: never) => void);
    return () => set.delete(cb as (v: never) => void);
  }

  emit<K extends keyof Events>(name: K, value: Events[K]): void {
    const set = this.map.get(name);
    if (set === undefined) return;
    for (const cb of [...set]) {
      try {
        (cb as (v: Events[K]) => void)(value);
      } catch (err) {
        console.error(`listener of '${String(name)}' failed`, err);
      }
    }
  }
}
