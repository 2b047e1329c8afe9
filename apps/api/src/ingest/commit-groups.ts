/** An event of an ingest request, ready to store; `key` is its identity (host, eventKey, time). */
export interface GroupedEvent<E> {
  key: string;
  event: E;
}

interface Member<E> {
  events: ReadonlyArray<GroupedEvent<E>>;
  resolve: (inserted: boolean[]) => void;
  reject: (error: unknown) => void;
}

export interface CommitGroupOptions {
  /** Groups being written at once (each holds one database connection). */
  concurrency: number;
  /** A group takes requests while it holds at most this many events (a larger request goes alone). */
  maxEvents: number;
  /** Told of every successful write: how many requests and events it held. */
  onWritten?: (requests: number, events: number) => void;
}

/**
 * SQLSTATE classes that belong to the rows written, not to the database: data exceptions (22),
 * integrity constraints (23), program limits (54). When a group fails with one of these, its
 * requests are written again one by one, so that one request's bad rows fail only that request.
 */
const ROW_ERROR_CLASSES = new Set(['22', '23', '54']);

/**
 * Group commit for ingest: requests that arrive while `concurrency` writes are in flight wait and
 * are then written together, as one statement in one transaction. An idle service writes a
 * request at once; a busy one makes fewer, larger transactions (one WAL flush for many agents'
 * batches) instead of queueing a commit per request. Every request still gets its own answer:
 * which of its events were new. An event repeated across requests of one group is written once
 * and counts as new only for the first request naming it.
 */
export class CommitGroups<E> {
  private readonly waiting: Array<Member<E>> = [];
  private running = 0;

  constructor(
    private readonly store: (events: ReadonlyArray<GroupedEvent<E>>) => Promise<boolean[]>,
    private readonly limits: CommitGroupOptions,
  ) {}

  /** Stores `events` (free of repeats among themselves); answers per event whether it was new. */
  submit(events: ReadonlyArray<GroupedEvent<E>>): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      this.startGroups();
    });
  }

  private startGroups(): void {
    while (this.running < this.limits.concurrency && this.waiting.length > 0) {
      const group = this.takeGroup();
      this.running++;
      void this.write(group).finally(() => {
        this.running--;
        this.startGroups();
      });
    }
  }

  /** The oldest waiting request, and after it every one that still fits in maxEvents. */
  private takeGroup(): Array<Member<E>> {
    const group = [this.waiting.shift()!];
    let events = group[0].events.length;
    while (this.waiting.length > 0 && events + this.waiting[0].events.length <= this.limits.maxEvents) {
      const next = this.waiting.shift()!;
      events += next.events.length;
      group.push(next);
    }
    return group;
  }

  private async write(group: Array<Member<E>>): Promise<void> {
    if (group.length === 1) return this.writeAlone(group[0]);
    // Where each member's events sit in the merged batch; -1 for a repeat of an earlier member's.
    const merged: Array<GroupedEvent<E>> = [];
    const positions = new Map<string, number>();
    const slots = group.map((m) =>
      m.events.map((e) => {
        if (positions.has(e.key)) return -1;
        positions.set(e.key, merged.length);
        merged.push(e);
        return merged.length - 1;
      }),
    );
    let inserted: boolean[];
    try {
      inserted = await this.store(merged);
    } catch (error) {
      const sqlState = (error as { code?: unknown }).code;
      if (typeof sqlState === 'string' && ROW_ERROR_CLASSES.has(sqlState.slice(0, 2))) {
        for (const member of group) await this.writeAlone(member);
      } else {
        for (const member of group) member.reject(error);
      }
      return;
    }
    this.limits.onWritten?.(group.length, merged.length);
    group.forEach((member, m) => member.resolve(slots[m].map((at) => at >= 0 && inserted[at])));
  }

  private async writeAlone(member: Member<E>): Promise<void> {
    try {
      const inserted = await this.store(member.events);
      this.limits.onWritten?.(1, member.events.length);
      member.resolve(inserted);
    } catch (error) {
      member.reject(error);
    }
  }
}
