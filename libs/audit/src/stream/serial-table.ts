/**
 * Values by audit serial (an integer): what a Map<number, T> does for the stream parser, by
 * open addressing over a Float64Array of keys, without a Map entry per record. Linear probing;
 * a delete moves the following entries back, so no tombstones build up.
 */
export class SerialTable<T> {
  private keys: Float64Array;
  private values: (T | undefined)[];
  private shift: number;
  size = 0;

  constructor(expected = 256) {
    let bits = 4;
    while (1 << bits < expected * 4) bits++;
    this.keys = new Float64Array(1 << bits);
    this.values = new Array<T | undefined>(1 << bits).fill(undefined);
    this.shift = 32 - bits;
  }

  /** Home slot: the high bits of a multiplicative hash (consecutive serials spread out). */
  private home(key: number): number {
    return Math.imul(key | 0, 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `key`, or -1. */
  private find(key: number): number {
    const mask = this.keys.length - 1;
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      if (this.values[i] === undefined) return -1;
      if (this.keys[i] === key) return i;
    }
  }

  get(key: number): T | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.values[i];
  }

  set(key: number, value: T): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = this.home(key);
    while (this.values[i] !== undefined && this.keys[i] !== key) i = (i + 1) & mask;
    if (this.values[i] === undefined) this.size++;
    this.keys[i] = key;
    this.values[i] = value;
  }

  delete(key: number): boolean {
    let i = this.find(key);
    if (i < 0) return false;
    const mask = this.keys.length - 1;
    this.values[i] = undefined;
    this.size--;
    // Entries after the hole whose home is not between it and them move back into it.
    for (let j = (i + 1) & mask; this.values[j] !== undefined; j = (j + 1) & mask) {
      const home = this.home(this.keys[j]);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        this.keys[i] = this.keys[j];
        this.values[i] = this.values[j];
        this.values[j] = undefined;
        i = j;
      }
    }
    return true;
  }

  clear(): void {
    this.values.fill(undefined);
    this.size = 0;
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Float64Array(keys.length * 2);
    this.values = new Array<T | undefined>(keys.length * 2).fill(undefined);
    this.shift--;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      if (v !== undefined) this.set(keys[i], v);
    }
  }
}
