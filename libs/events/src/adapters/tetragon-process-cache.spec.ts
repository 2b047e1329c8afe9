import { describe, expect, it } from 'vitest';
import { TetragonProcessCache } from './tetragon-process-cache.js';

describe('TetragonProcessCache', () => {
  it('evicts the least recently remembered entry past its capacity', () => {
    const cache = new TetragonProcessCache(2);
    cache.remember('a', { pid: 1 });
    cache.remember('b', { pid: 2 });
    cache.remember('a', { pid: 11 });
    cache.remember('c', { pid: 3 });
    expect(cache.size).toBe(2);
    expect(cache.lookup('b')).toBeUndefined();
    expect(cache.lookup('a')).toEqual({ pid: 11 });
    expect(cache.lookup('c')).toEqual({ pid: 3 });
    expect(cache.lookup(undefined)).toBeUndefined();
  });
});
