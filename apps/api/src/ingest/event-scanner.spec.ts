import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_ACTIONS, EVENT_SOURCES, type SecurityEvent } from '@sandtrap/events';
import { ScannedEvent } from './scanned-event.js';
import type { DecodedBatch, EventShape } from './ingest-batch.js';
import { decodeSecurityEvents } from './ingest-decoders.js';
import { parseObservedAt } from './observed-at.js';
import { columnArrays, copyChunks, numericProblem, type ViolationRow } from './violation-row.js';
import { minuteCounts } from './violation-writer.repository.js';

/**
 * The byte scanner of `POST /v1/ingest/events` against the ordinary path (JSON.parse and
 * validateSecurityEvent) on the same bodies: same problems, same candidates, and for each the
 * same COPY bytes, column values, service checks, rollup counts and listener fields.
 */

const NOW = Date.now();

/** What the listeners read of a stored event (metrics labels, alert prefilter, rollups). */
function listenerView(e: EventShape) {
  return [
    e.host,
    e.source,
    e.action,
    e.blocked,
    e.policy,
    e.syscall?.arch,
    e.syscall?.nr,
    e.syscall?.name,
    e.syscall === undefined,
    e.process?.exe,
    e.process === undefined,
    e.container?.id,
    e.container?.name,
    e.container?.pod,
    e.container?.namespace,
    e.container === undefined,
  ];
}

function whole(e: SecurityEvent | ScannedEvent): SecurityEvent {
  return e instanceof ScannedEvent ? e.full() : e;
}

function rowOf(e: SecurityEvent | ScannedEvent): ViolationRow | undefined {
  const micros = e instanceof ScannedEvent ? e.micros : parseObservedAt(e.observedAt);
  return micros === undefined ? undefined : { hostId: uuidOf(e.host), micros, event: e };
}

/** Everything the service, the writer and the listeners take from a decoded batch. */
function outcome(batch: DecodedBatch) {
  const rows = batch.candidates.map((c) => rowOf(c.event));
  const numeric = batch.candidates.map((c) => numericProblem(whole(c.event)));
  const good = rows.filter((r, i): r is ViolationRow => r !== undefined && numeric[i] === undefined);
  const rollups = minuteCounts(good);
  const rollupRows = rollups[0].map((_, k) => JSON.stringify(rollups.map((column) => column[k]))).sort();
  return {
    problems: batch.problems,
    candidates: batch.candidates.map((c, k) => ({
      index: c.index,
      line: c.line,
      host: c.event.host,
      eventKey: c.event.eventKey,
      observedAt: c.event.observedAt,
      micros: rows[k]?.micros,
      numeric: numeric[k],
      // Only rows the service would write: Postgres' int columns cannot hold the others.
      copy:
        rows[k] === undefined || numeric[k] !== undefined
          ? undefined
          : Buffer.concat([...copyChunks([rows[k]])]).toString('latin1'),
      columns: rows[k] === undefined ? undefined : columnArrays([rows[k]]),
      listener: listenerView(c.event),
      shape: listenerView(c.event instanceof ScannedEvent ? c.event.shape : c.event),
    })),
    rollupRows,
    // All the rows at once, with uuids for host ids: scanned rows go as the scanner wrote them.
    copyAll: Buffer.concat([
      ...copyChunks(good.map((r) => ({ ...r, hostId: uuidOf(r.event.host) }))),
    ]).toString('latin1'),
  };
}

function uuidOf(host: string): string {
  let h = 0;
  for (const c of host) h = (Math.imul(h, 31) + c.codePointAt(0)!) >>> 0;
  return `${h.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

function bothWays(body: Buffer) {
  const fast = decodeSecurityEvents(body, true);
  const slow = decodeSecurityEvents(body, false);
  expect(slow.candidates.some((c) => c.event instanceof ScannedEvent)).toBe(false);
  expect(outcome(fast)).toEqual(outcome(slow));
  return fast.candidates.filter((c) => c.event instanceof ScannedEvent).length;
}

const nasty = fc.constantFrom(
  '',
  "'; DROP TABLE violations; --",
  '\\N',
  '\\',
  '\t\n\r',
  '\b\f\u0001\u001f\u007f',
  '"quoted"',
  'a/b',
  '\u0000',
  '\\u0000',
  'é ü 😀',
  '\u2028',
  '\ud800',
  ' ',
  'x'.repeat(300),
);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 2, arbitrary: nasty },
);
const name = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('ptrace', 'x86_64', 'EPERM', 'h1', 'h2') },
  text,
);
const integer = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      128,
      129,
      4095,
      4096,
      2147483647,
      2147483648,
      4294967295,
      4294967296,
      2 ** 53,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, -0, 1e3, 10.0) },
  { weight: 1, arbitrary: fc.double() },
);
const timeText = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .integer({ min: NOW - 2 * 86_400_000, max: NOW + 60_000 })
      .chain((ms) =>
        fc
          .integer({ min: 0, max: 999 })
          .map((us) => new Date(ms).toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`)),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      new Date(NOW).toISOString(),
      new Date(NOW).toISOString().replace('Z', '+00:00'),
      new Date(NOW).toISOString().replace('Z', '123z'),
      new Date(NOW).toISOString().replace('T', 't').replace('Z', '123Z'),
      '2020-01-01T00:00:00.000000Z',
      '2026-02-30T00:00:00.000000Z',
      '0000-01-01T00:00:00.000000Z',
      new Date(NOW + 3 * 86_400_000).toISOString().replace('Z', '000Z'),
      'yesterday',
    ),
  },
  { weight: 1, arbitrary: text },
);
const details = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '1', '10', '__proto__', 'a\\b', 'x"y')),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 5 },
);

const event = fc.record(
  {
    eventKey: text,
    observedAt: timeText,
    host: name,
    bootId: text,
    source: fc.oneof(fc.constantFrom(...EVENT_SOURCES), text),
    kind: fc.constantFrom('seccomp', 'runtime', 'other'),
    process: fc.record(
      {
        pid: integer,
        tid: integer,
        ppid: integer,
        uid: integer,
        gid: integer,
        auid: integer,
        ses: integer,
        comm: text,
        exe: name,
        cmdline: text,
      },
      { requiredKeys: [] },
    ),
    container: fc.record(
      { id: name, name: name, image: text, pod: text, namespace: text },
      { requiredKeys: [] },
    ),
    syscall: fc.record(
      { arch: name, nr: integer, name: name, compat: fc.oneof(fc.boolean(), fc.constant(1)) },
      { requiredKeys: [] },
    ),
    action: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...EVENT_ACTIONS) },
      { weight: 1, arbitrary: text },
    ),
    errno: fc.record({ nr: integer, name: name }, { requiredKeys: [] }),
    signal: fc.record({ nr: integer, name: name }, { requiredKeys: [] }),
    blocked: fc.boolean(),
    policy: text,
    rule: text,
    severity: text,
    details: fc.oneof(
      { weight: 4, arbitrary: details },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    raw: fc.oneof(text, fc.constant('r'.repeat(8192)), fc.constant('r'.repeat(8193))),
  },
  { requiredKeys: [] },
);
/** Text the validator accepts in a free-text field (it refuses NUL and lone surrogates). */
const goodText = fc.oneof(
  { weight: 40, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: text.filter((t) => !t.includes('\u0000') && !/\p{Cs}/u.test(t)) },
);
const goodName = goodText.filter((t) => t.length > 0 && t.length <= 32);
const small = (max: number) => fc.oneof(fc.integer({ min: 0, max: Math.min(max, 5000) }), fc.constant(max));
/** Mostly valid events, with at times one field taken from the arbitrary `event`. */
const usualEvent = fc
  .tuple(
    fc.record(
      {
        eventKey: goodName,
        observedAt: timeText,
        host: fc.constantFrom('h1', 'h2', 'h3'),
        bootId: goodName,
        source: fc.constantFrom(...EVENT_SOURCES),
        kind: fc.constantFrom('seccomp', 'runtime'),
        process: fc.record(
          {
            pid: small(2147483647),
            tid: small(2147483647),
            ppid: small(2147483647),
            uid: small(4294967295),
            gid: small(4294967295),
            auid: small(4294967295),
            ses: small(4294967295),
            comm: goodText,
            exe: fc.oneof(fc.constantFrom('/bin/a', '/bin/b'), goodText),
            cmdline: goodText,
          },
          { requiredKeys: [] },
        ),
        container: fc.record(
          { id: goodText, name: goodText, image: goodText, pod: goodText, namespace: goodText },
          { requiredKeys: [] },
        ),
        syscall: fc.record(
          { arch: goodName, nr: small(2147483647), name: goodName, compat: fc.boolean() },
          { requiredKeys: [] },
        ),
        action: fc.constantFrom(...EVENT_ACTIONS),
        errno: fc.record({ nr: small(4095), name: goodName }, { requiredKeys: [] }),
        signal: fc.record({ nr: small(128), name: goodName }, { requiredKeys: [] }),
        policy: goodText,
        rule: goodText,
        severity: goodText,
        details: fc.oneof(
          {
            weight: 3,
            arbitrary: fc.dictionary(
              fc.string({ maxLength: 5 }),
              fc.oneof(
                fc.integer(),
                fc.string({ maxLength: 5 }),
                fc.boolean(),
                fc.constant(null),
                fc.array(fc.integer()),
              ),
              { maxKeys: 4 },
            ),
          },
          { weight: 1, arbitrary: details },
        ),
        raw: goodText,
      },
      { requiredKeys: ['eventKey', 'observedAt', 'host', 'source', 'kind', 'action'] },
    ),
    fc.boolean(),
    fc.option(event, { freq: 6, nil: undefined }),
    fc.nat(),
  )
  .map(([e, keepBlocked, other, pick]) => {
    const out: Record<string, unknown> = { ...e };
    if (keepBlocked) out.blocked = !['log', 'allow', 'alert'].includes(e.action);
    if (other !== undefined) {
      const keys = Object.keys(other);
      if (keys.length > 0)
        out[keys[pick % keys.length]] = other[keys[pick % keys.length] as keyof typeof other];
    }
    return out;
  });

/** The same event spelt another way (or broken): both paths must still agree. */
const spelling = fc.constantFrom(
  ...Array.from({ length: 20 }, () => (s: string) => s),
  (s: string) => s.replaceAll('":', '" :\t').replaceAll(',"', ' , "'),
  (s: string) => ` ${s}\r `,
  (s: string) => s.replaceAll('/', '\\/'),
  (s: string) => s.replace(/}$/, ',"host":"h9"}'),
  (s: string) => s.replace(/}$/, ',"process":{"exe":"a","exe":"b"}}'),
  (s: string) => s.replace(/}$/, ',"extra":[1,{"a":null}]}'),
  (s: string) => s.replace(/}$/, ',"syscall":null,"details":null,"bootId":null}'),
  (s: string) => s.replace(/"pid":(\d+)/, '"pid":$1.0'),
  (s: string) => s.replace(/"nr":(\d+)/, '"nr":0$1'),
  (s: string) => s.slice(0, Math.max(1, s.length - 3)),
  (s: string) => s.replace('"', '"\\u0065'),
  (s: string) => `[${s}]`,
  (s: string) => s.replace(/"details":\{/, '"details":{ '),
  (s: string) => s.replace(/"details":\{/, '"details":{"k":1,"k":2,'),
  // Keys that are almost known ones: one byte off, or in the same slot of the scanner's index.
  (s: string) => s.replace('"host":', '"hxst":'),
  (s: string) => s.replace('"action":', '"bction":'),
  (s: string) => s.replace('"pid":', '"pix":'),
  (s: string) => s.replace('"source":', '"xourc)":'),
);
const line = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: usualEvent }, { weight: 1, arbitrary: event }), spelling)
  .map(([e, spell]) => spell(JSON.stringify(e)));

describe('the byte scanner of /v1/ingest/events', () => {
  it('gives what the ordinary path gives, for any body', () => {
    let scanned = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof({ weight: 12, arbitrary: line }, { weight: 1, arbitrary: fc.constantFrom('', '  ', 'x') }),
          {
            maxLength: 12,
          },
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (lines, eol, bom) => {
          const body = Buffer.from(`${bom ? '\ufeff' : ''}${lines.join(eol)}${eol}`);
          scanned += bothWays(body);
        },
      ),
      { numRuns: Number(process.env.SCAN_RUNS ?? 600) },
    );
    // The fast path was taken, not only compared with itself.
    expect(scanned).toBeGreaterThan(100);
  });

  it('reads a string with any ASCII character or a non-ASCII one at any of its first bytes as the ordinary path does', () => {
    // Strings are read four bytes at a time while no byte needs a look: each character that does
    // (or does not) at each offset of a word, in the first and a later word of a string.
    const at = new Date(NOW - 60_000).toISOString().replace('Z', '123Z');
    const characters = [...Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)), 'é', '€', '😀'];
    const lines: string[] = [];
    for (const c of characters) {
      for (let offset = 0; offset < 9; offset++) {
        const raw = `${'abcdefghi'.slice(0, offset)}${c}jklm`;
        lines.push(
          JSON.stringify({
            eventKey: `w${offset}`,
            observedAt: at,
            host: 'h1',
            source: 'kmsg',
            kind: 'seccomp',
            action: 'log',
            raw,
          }),
        );
      }
    }
    const scanned = bothWays(Buffer.from(`${lines.join('\n')}\n`));
    // Every line without a character past ASCII, a control character or an escape is scanned.
    expect(scanned).toBeGreaterThanOrEqual((128 - 32 - 3) * 9);
  });

  it('reads events with every field, escapes, details and numbers at their limits', () => {
    const at = new Date(NOW - 60_000).toISOString().replace('Z', '123Z');
    const full = {
      eventKey: 'k\\"\t\n\r\b\f/1',
      observedAt: at,
      host: "h'; --",
      bootId: 'b',
      source: 'falco',
      kind: 'runtime',
      process: {
        pid: 2147483647,
        tid: 0,
        ppid: 1,
        uid: 4294967295,
        gid: 0,
        auid: 4294967295,
        ses: 7,
        comm: '',
        exe: '\\N',
        cmdline: 'a\tb',
      },
      container: { id: 'c', name: 'n', image: 'i', pod: 'p', namespace: 'ns' },
      syscall: { arch: 'x86_64', nr: 2147483647, name: 'ptrace', compat: true },
      action: 'alert',
      errno: { nr: 4095, name: 'E' },
      signal: { nr: 128, name: 'S' },
      blocked: false,
      policy: '',
      rule: 'r',
      severity: 's',
      details: { a: [1, -2, true, null, 'x\\y"z\n'], b: { c: {}, d: [] }, e: '' },
      raw: 'r'.repeat(8192),
    };
    const lines = [
      JSON.stringify(full),
      JSON.stringify({ ...full, eventKey: 'k2', details: undefined, process: {}, container: undefined }),
      JSON.stringify({ ...full, eventKey: 'k3', syscall: { nr: 2147483648 } }),
      JSON.stringify({ ...full, eventKey: 'k4', raw: 'r'.repeat(8193) }),
      JSON.stringify({ ...full, eventKey: 'k5', blocked: true }),
    ];
    expect(bothWays(Buffer.from(lines.join('\n')))).toBe(2);
  });

  it('shares one StoredEvent among the events of one shape', () => {
    const at = new Date(NOW - 60_000).toISOString().replace('Z', '000Z');
    const e = (k: string, exe: string) =>
      JSON.stringify({
        eventKey: k,
        observedAt: at,
        host: 'h',
        source: 'api',
        kind: 'seccomp',
        action: 'log',
        process: { pid: 1, exe },
      });
    const batch = decodeSecurityEvents(Buffer.from([e('1', 'a'), e('2', 'a'), e('3', 'b')].join('\n')));
    const [a, b, c] = batch.candidates.map((x) => (x.event as ScannedEvent).shape);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(c).toEqual({ host: 'h', source: 'api', action: 'log', blocked: false, process: { exe: 'b' } });
  });

  it('tells shapes apart by every byte of long values and by which sub-objects were given', () => {
    const at = new Date(NOW - 60_000).toISOString().replace('Z', '000Z');
    const base = { observedAt: at, host: 'h', source: 'api', kind: 'seccomp', action: 'log' };
    const long = 'x'.repeat(4000);
    const lines = [
      { ...base, eventKey: '1', process: { exe: `${long}a` }, policy: long },
      { ...base, eventKey: '2', process: { exe: `${long}b` }, policy: long },
      { ...base, eventKey: '3', process: { exe: `${long}a` }, policy: long },
      { ...base, eventKey: '4', process: {} },
      { ...base, eventKey: '5' },
      { ...base, eventKey: '6', process: {} },
    ].map((e) => JSON.stringify(e));
    const shapes = decodeSecurityEvents(Buffer.from(lines.join('\n'))).candidates.map(
      (x) => (x.event as ScannedEvent).shape,
    );
    expect(shapes).toHaveLength(6);
    expect(shapes[0]).toBe(shapes[2]);
    expect(shapes[0]).not.toBe(shapes[1]);
    expect(shapes[1].process?.exe).toBe(`${long}b`);
    expect(shapes[3]).toBe(shapes[5]);
    expect(shapes[3]).not.toBe(shapes[4]);
    expect(shapes[3].process).toEqual({});
    expect(shapes[4].process).toBeUndefined();
  });
});
