import { describe, expect, it } from 'vitest';
import { CommitGroups, type GroupedEvent } from './commit-groups.js';

/**
 * A store that keeps its writes open until released, remembers what each write held and keeps
 * the set of stored keys, answering per event whether it was new (as Postgres's ON CONFLICT does).
 */
class HeldStore {
  readonly writes: string[][] = [];
  readonly stored = new Set<string>();
  private readonly open: Array<() => void> = [];
  failWith?: (keys: string[]) => Error | undefined;

  readonly store = async (events: ReadonlyArray<GroupedEvent<string>>): Promise<boolean[]> => {
    const keys = events.map((e) => e.key);
    this.writes.push(keys);
    await new Promise<void>((go) => this.open.push(go));
    const error = this.failWith?.(keys);
    if (error) throw error;
    return keys.map((k) => {
      const fresh = !this.stored.has(k);
      this.stored.add(k);
      return fresh;
    });
  };

  /** Lets the oldest open write finish, and waits for what it starts. */
  async finishOne(): Promise<void> {
    this.open.shift()!();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}

const batch = (...keys: string[]) => keys.map((key) => ({ key, event: key }));
/** Settles at once, so a rejection is never left unhandled while the test waits. */
const outcome = (p: Promise<boolean[]>) =>
  p.then(
    (inserted) => inserted,
    (error: Error) => error.message,
  );
const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('CommitGroups', () => {
  it('writes a request at once when idle, and requests that arrive while busy together', async () => {
    const held = new HeldStore();
    const groups = new CommitGroups(held.store, { concurrency: 1, maxEvents: 100 });
    const first = groups.submit(batch('a', 'b'));
    await new Promise((r) => setImmediate(r));
    expect(held.writes).toEqual([['a', 'b']]);

    const later = [groups.submit(batch('c')), groups.submit(batch('d', 'e')), groups.submit(batch('f'))];
    await new Promise((r) => setImmediate(r));
    expect(held.writes).toEqual([['a', 'b']]); // busy: the three wait
    await held.finishOne();
    expect(held.writes).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e', 'f'],
    ]);
    await held.finishOne();
    expect(await first).toEqual([true, true]);
    expect(await Promise.all(later)).toEqual([[true], [true, true], [true]]);
    expect(held.writes).toHaveLength(2);
  });

  it('runs at most `concurrency` writes, and stops a group at maxEvents', async () => {
    const held = new HeldStore();
    const groups = new CommitGroups(held.store, { concurrency: 2, maxEvents: 3 });
    const answers = [
      groups.submit(batch('a')),
      groups.submit(batch('b')),
      groups.submit(batch('c', 'd')),
      groups.submit(batch('e')),
      groups.submit(batch('f', 'g')),
      groups.submit(batch('h', 'i', 'j', 'k')), // larger than maxEvents: goes alone
    ];
    await new Promise((r) => setImmediate(r));
    expect(held.writes).toEqual([['a'], ['b']]);
    await held.finishOne();
    expect(held.writes.slice(2)).toEqual([['c', 'd', 'e']]);
    await held.finishOne();
    expect(held.writes.slice(3)).toEqual([['f', 'g']]);
    await held.finishOne();
    expect(held.writes.slice(4)).toEqual([['h', 'i', 'j', 'k']]);
    await held.finishOne();
    await held.finishOne();
    expect((await Promise.all(answers)).flat().every(Boolean)).toBe(true);
  });

  it('writes an event named by two requests of a group once: new for the first, a repeat for the second', async () => {
    const held = new HeldStore();
    held.stored.add('old');
    const groups = new CommitGroups(held.store, { concurrency: 1, maxEvents: 100 });
    const busy = groups.submit(batch('x'));
    const one = groups.submit(batch('a', 'shared', 'old'));
    const two = groups.submit(batch('shared', 'b'));
    await held.finishOne();
    expect(held.writes[1]).toEqual(['a', 'shared', 'old', 'b']);
    await held.finishOne();
    await busy;
    expect(await one).toEqual([true, true, false]);
    expect(await two).toEqual([false, true]);
  });

  it("on a row error writes the group's requests one by one, so only the bad one fails", async () => {
    const held = new HeldStore();
    held.failWith = (keys) => (keys.includes('bad') ? sqlError('22P05') : undefined);
    const groups = new CommitGroups(held.store, { concurrency: 1, maxEvents: 100 });
    const busy = groups.submit(batch('x'));
    const good = groups.submit(batch('a'));
    const bad = outcome(groups.submit(batch('bad', 'c')));
    const also = groups.submit(batch('d'));
    await held.finishOne(); // x done; the group a+bad+c+d starts
    await held.finishOne(); // the group fails: a alone starts
    await held.finishOne(); // a done: bad+c alone
    await held.finishOne(); // fails: d alone
    await held.finishOne();
    await busy;
    expect(held.writes).toEqual([['x'], ['a', 'bad', 'c', 'd'], ['a'], ['bad', 'c'], ['d']]);
    expect(await good).toEqual([true]);
    expect(await bad).toBe('sqlstate 22P05');
    expect(await also).toEqual([true]);
    expect(held.stored.has('c')).toBe(false);
  });

  it('fails every request of a group at once when the database itself fails, and goes on after', async () => {
    const held = new HeldStore();
    held.failWith = () => sqlError('57P01');
    const groups = new CommitGroups(held.store, { concurrency: 1, maxEvents: 100 });
    const busy = outcome(groups.submit(batch('x')));
    const waiting = [outcome(groups.submit(batch('a'))), outcome(groups.submit(batch('b')))];
    await held.finishOne();
    await held.finishOne();
    expect(await busy).toBe('sqlstate 57P01');
    expect(await Promise.all(waiting)).toEqual(['sqlstate 57P01', 'sqlstate 57P01']);
    expect(held.writes).toEqual([['x'], ['a', 'b']]);

    held.failWith = undefined;
    const after = groups.submit(batch('a'));
    await held.finishOne();
    expect(await after).toEqual([true]);
  });
});
