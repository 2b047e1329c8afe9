import type { AuditRecord, SiblingFields } from '../record/audit-record.js';

/**
 * The SECCOMP events a parser holds for their siblings, oldest first: a ring of parallel arrays
 * indexed by a running position (no object per event), and a count of held events per low bits
 * of their serial. Most lookups are misses (a new serial) and end at that count; a hit is found
 * by walking back from the newest, as siblings come right after their record. Events released
 * out of order (by an EOE or a second copy) leave a gap that the oldest() walk steps over.
 */
export class HeldEvents {
  private records: (AuditRecord | undefined)[];
  private raws: string[];
  private siblings: (SiblingFields | undefined)[];
  private lines: Float64Array;
  private deadlines: Float64Array;
  private mask: number;
  // Positions [head, tail) of the ring; released ones have no record.
  private head = 0;
  private tail = 0;
  private readonly perSlot: Int32Array;
  private readonly slotMask: number;
  size = 0;

  constructor(maxHeld: number) {
    let bits = 4;
    while (1 << bits < maxHeld * 2) bits++;
    this.records = new Array<AuditRecord | undefined>(1 << bits).fill(undefined);
    this.raws = new Array<string>(1 << bits).fill('');
    this.siblings = new Array<SiblingFields | undefined>(1 << bits).fill(undefined);
    this.lines = new Float64Array(1 << bits);
    this.deadlines = new Float64Array(1 << bits);
    this.mask = (1 << bits) - 1;
    // Sixteen slots per held event or more: consecutive serials never share one while held.
    let slotBits = 12;
    while (1 << slotBits < maxHeld * 16 && slotBits < 20) slotBits++;
    this.perSlot = new Int32Array(1 << slotBits);
    this.slotMask = (1 << slotBits) - 1;
  }

  /** Position of the held event with this serial, or -1. */
  find(serial: number): number {
    let left = this.perSlot[serial & this.slotMask];
    if (left === 0) return -1;
    for (let at = this.tail - 1; at >= this.head; at--) {
      const record = this.records[at & this.mask];
      if (record === undefined || ((record.serial ^ serial) & this.slotMask) !== 0) continue;
      if (record.serial === serial) return at;
      if (--left === 0) return -1;
    }
    return -1;
  }

  add(
    record: AuditRecord,
    raw: string,
    line: number,
    deadline: number,
    sibling: SiblingFields | undefined,
  ): void {
    if (this.tail - this.head > this.mask) this.grow();
    const i = this.tail & this.mask;
    this.records[i] = record;
    this.raws[i] = raw;
    this.siblings[i] = sibling;
    this.lines[i] = line;
    this.deadlines[i] = deadline;
    this.tail++;
    this.size++;
    this.perSlot[record.serial & this.slotMask]++;
  }

  /** Position of the oldest held event, or -1 when none is held. */
  oldest(): number {
    while (this.head < this.tail && this.records[this.head & this.mask] === undefined) this.head++;
    return this.head < this.tail ? this.head : -1;
  }

  /** Takes the event at `at` out (read what it holds first). */
  remove(at: number): void {
    const i = at & this.mask;
    this.perSlot[(this.records[i] as AuditRecord).serial & this.slotMask]--;
    this.records[i] = undefined;
    this.raws[i] = '';
    this.siblings[i] = undefined;
    this.size--;
  }

  record(at: number): AuditRecord {
    return this.records[at & this.mask] as AuditRecord;
  }

  raw(at: number): string {
    return this.raws[at & this.mask];
  }

  line(at: number): number {
    return this.lines[at & this.mask];
  }

  deadline(at: number): number {
    return this.deadlines[at & this.mask];
  }

  sibling(at: number): SiblingFields | undefined {
    return this.siblings[at & this.mask];
  }

  setSibling(at: number, sibling: SiblingFields | undefined): void {
    this.siblings[at & this.mask] = sibling;
  }

  /** Positions of the held events, oldest first. */
  *positions(): IterableIterator<number> {
    for (let at = this.head; at < this.tail; at++) if (this.records[at & this.mask] !== undefined) yield at;
  }

  clear(): void {
    this.records.fill(undefined);
    this.raws.fill('');
    this.siblings.fill(undefined);
    this.perSlot.fill(0);
    this.head = 0;
    this.tail = 0;
    this.size = 0;
  }

  private grow(): void {
    const n = (this.mask + 1) * 2;
    const records = new Array<AuditRecord | undefined>(n).fill(undefined);
    const raws = new Array<string>(n).fill('');
    const siblings = new Array<SiblingFields | undefined>(n).fill(undefined);
    const lines = new Float64Array(n);
    const deadlines = new Float64Array(n);
    for (let at = this.head; at < this.tail; at++) {
      const from = at & this.mask;
      const to = at & (n - 1);
      records[to] = this.records[from];
      raws[to] = this.raws[from];
      siblings[to] = this.siblings[from];
      lines[to] = this.lines[from];
      deadlines[to] = this.deadlines[from];
    }
    this.records = records;
    this.raws = raws;
    this.siblings = siblings;
    this.lines = lines;
    this.deadlines = deadlines;
    this.mask = n - 1;
  }
}
