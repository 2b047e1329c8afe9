/** Where a tailer stands in a file, by inode so a rotated file is recognised. */
export interface FilePosition {
  inode: number;
  offset: number;
}

export function isFilePosition(value: unknown): value is FilePosition {
  if (typeof value !== 'object' || value === null) return false;
  const { inode, offset } = value as Record<string, unknown>;
  return Number.isSafeInteger(inode) && Number.isSafeInteger(offset) && (offset as number) >= 0;
}

/** Where to start reading: resume in the same file, in its rotated predecessor, or afresh. */
export type StartPlan =
  { kind: 'current'; offset: number } | { kind: 'rotated'; path: string; offset: number } | { kind: 'end' };

export function planStart(
  saved: FilePosition | undefined,
  current: { inode: number; size: number } | undefined,
  rotated: { path: string; inode: number; size: number } | undefined,
  fromStart: boolean,
): StartPlan {
  if (saved && current && saved.inode === current.inode) {
    // Smaller than our offset: copy-truncated while we were down; start over.
    return { kind: 'current', offset: saved.offset <= current.size ? saved.offset : 0 };
  }
  if (saved && rotated && rotated.inode === saved.inode && saved.offset <= rotated.size) {
    return { kind: 'rotated', path: rotated.path, offset: saved.offset };
  }
  if (saved) return { kind: 'current', offset: 0 }; // rotated away and gone: the new file is all new
  return fromStart ? { kind: 'current', offset: 0 } : { kind: 'end' };
}
