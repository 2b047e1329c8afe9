import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `content` to `path` so a crash leaves either the old or the new file, never half. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode, flush: true });
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** A source's resume point, one small JSON file in its state folder. */
export class CheckpointStore<T> {
  constructor(
    private readonly path: string,
    private readonly isValid: (value: unknown) => value is T,
  ) {}

  /** The saved checkpoint, or undefined when there is none or it is unreadable garbage. */
  load(): T | undefined {
    try {
      const value = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      return this.isValid(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  save(value: T): void {
    writeFileAtomic(this.path, JSON.stringify(value));
  }
}
