/** One /dev/kmsg record: `PRI,SEQ,USEC,FLAGS[,...];message` then optional ` KEY=value` lines. */
export interface KmsgRecord {
  seq: number;
  /** The first line, header included (libs/audit reads that shape). */
  line: string;
  message: string;
}

export function parseKmsgRecord(text: string): KmsgRecord | undefined {
  const newline = text.indexOf('\n');
  const line = newline >= 0 ? text.slice(0, newline) : text;
  const semi = line.indexOf(';');
  if (semi < 0) return undefined;
  const fields = line.slice(0, semi).split(',');
  if (fields.length < 4) return undefined;
  const [pri, seq, usec] = fields;
  if (!/^\d+$/.test(pri) || !/^\d+$/.test(seq) || !/^\d+$/.test(usec)) return undefined;
  const seqNr = Number(seq);
  if (!Number.isSafeInteger(seqNr)) return undefined;
  return { seq: seqNr, line, message: line.slice(semi + 1) };
}

/** Only audit records go to the parser; the rest of the kernel log is not ours. */
export function isAuditRecord(record: KmsgRecord): boolean {
  return record.message.startsWith('audit: type=');
}

/** Records missed between two sequence numbers (the ring buffer overwrote them). */
export function missedBetween(previous: number | undefined, seq: number): number {
  if (previous === undefined || seq <= previous + 1) return 0;
  return seq - previous - 1;
}

export interface KmsgCheckpoint {
  bootId: string;
  seq: number;
}

export function isKmsgCheckpoint(value: unknown): value is KmsgCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const { bootId, seq } = value as Record<string, unknown>;
  return typeof bootId === 'string' && Number.isSafeInteger(seq);
}
