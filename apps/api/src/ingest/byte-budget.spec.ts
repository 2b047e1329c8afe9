import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';

describe('ByteBudget', () => {
  it('runs claims side by side while they fit, then in arrival order, and a huge one alone', async () => {
    const budget = new ByteBudget(10);
    const started: string[] = [];
    const claim = (name: string, bytes: number) => budget.claim(bytes).then(() => started.push(name));
    await Promise.all([claim('a', 4), claim('b', 4)]);
    const c = claim('c', 4);
    const huge = claim('huge', 50);
    const d = claim('d', 1);
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);

    budget.release(4); // a done: c fits beside b; huge waits, and d behind it
    await c;
    expect(started).toEqual(['a', 'b', 'c']);
    budget.release(4);
    budget.release(4); // nothing running: huge runs alone
    await huge;
    await Promise.resolve();
    expect(started).toEqual(['a', 'b', 'c', 'huge']);
    budget.release(50);
    await d;
    expect(started).toEqual(['a', 'b', 'c', 'huge', 'd']);
  });
});
