import { describe, expect, it } from 'vitest';
import { isFilePosition, planStart } from './file-position.js';

describe('tailer start plan', () => {
  it('resumes in the same file at the saved offset', () => {
    expect(planStart({ inode: 5, offset: 10 }, { inode: 5, size: 20 }, undefined, false)).toEqual({
      kind: 'current',
      offset: 10,
    });
  });
  it('starts over when the same file shrank below the offset (copy-truncate while down)', () => {
    expect(planStart({ inode: 5, offset: 30 }, { inode: 5, size: 20 }, undefined, false)).toEqual({
      kind: 'current',
      offset: 0,
    });
  });
  it('finishes the rotated predecessor first, then the new file from 0', () => {
    expect(
      planStart(
        { inode: 5, offset: 10 },
        { inode: 6, size: 3 },
        { path: '/l/a.log.1', inode: 5, size: 12 },
        false,
      ),
    ).toEqual({ kind: 'rotated', path: '/l/a.log.1', offset: 10 });
    expect(planStart({ inode: 5, offset: 10 }, { inode: 6, size: 3 }, undefined, false)).toEqual({
      kind: 'current',
      offset: 0,
    });
  });
  it('without a checkpoint starts at the end unless told to read from the start', () => {
    expect(planStart(undefined, { inode: 6, size: 3 }, undefined, false)).toEqual({ kind: 'end' });
    expect(planStart(undefined, { inode: 6, size: 3 }, undefined, true)).toEqual({
      kind: 'current',
      offset: 0,
    });
  });
  it('rejects garbage checkpoints', () => {
    for (const garbage of [
      null,
      'x',
      7,
      {},
      { inode: 1 },
      { inode: 1, offset: -1 },
      { inode: 'a', offset: 0 },
    ]) {
      expect(isFilePosition(garbage)).toBe(false);
    }
    expect(isFilePosition({ inode: 1, offset: 0 })).toBe(true);
  });
});
