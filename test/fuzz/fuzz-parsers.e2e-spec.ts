import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditStreamParser, parseAuditLine } from '@sandtrap/audit';
import { createToolAdapter, TOOL_NAMES, validateSecurityEvent, type SecurityEvent } from '@sandtrap/events';
import { AUDIT_SEEDS, eventSeed, mutatedJson, mutatedText, toolSeeds } from './corpus.js';
import { fuzzParameters, fuzzTimeout } from './fuzz-budget.js';

/**
 * Parsers and the validator under random and mutated input: they never throw, and whatever event
 * they produce is one the API accepts (validateSecurityEvent agrees), so an agent never ships an
 * event the service refuses.
 */
function expectValid(event: SecurityEvent): void {
  const v = validateSecurityEvent(event, { maxFutureSkewMs: Number.MAX_SAFE_INTEGER });
  if (!v.ok)
    throw new Error(
      `produced an event the validator refuses: ${JSON.stringify(v.errors)} ${JSON.stringify(event)}`,
    );
}

/**
 * The agent reads audit lines as bytes decoded as UTF-8, which never yields a lone surrogate
 * (bad bytes become U+FFFD): the lines here go through the same decoding.
 */
const auditLine = fc
  .oneof(
    { weight: 4, arbitrary: mutatedText(AUDIT_SEEDS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')) },
  )
  .map((line) => Buffer.from(line, 'utf8').toString('utf8'));

describe('fuzz: audit parser', () => {
  it(
    'parseAuditLine never throws on mutated and random lines',
    () => {
      fc.assert(
        fc.property(auditLine, (line) => {
          const parsed = parseAuditLine(line, { bootId: 'b00t' });
          expect(['record', 'error', 'skip', 'lost']).toContain(parsed.kind);
        }),
        fuzzParameters(3000),
      );
    },
    fuzzTimeout(),
  );

  it(
    'AuditStreamParser keeps going over mutated streams and emits only valid events',
    () => {
      fc.assert(
        fc.property(fc.array(auditLine, { maxLength: 40 }), fc.nat({ max: 200 }), (lines, step) => {
          const parser = new AuditStreamParser({ host: 'fuzz-host', bootId: 'b00t', holdMs: 10, maxHeld: 4 });
          const out: ReturnType<AuditStreamParser['push']> = [];
          let now = 1_764_400_000_000;
          lines.forEach((line, i) => {
            now += step;
            out.push(...parser.push(line, i + 1, now));
          });
          out.push(...parser.flush());
          for (const o of out) if (o.type === 'event') expectValid(o.event);
          const stats = parser.stats;
          expect(stats.lines).toBe(lines.length);
        }),
        fuzzParameters(500),
      );
    },
    fuzzTimeout(),
  );
});

describe('audit parser: found by fuzzing', () => {
  // Found by fuzzing: a NUL byte inside an unquoted value reached `exe` and `raw`, and the API
  // refused the event (Postgres text cannot hold NUL). The parser now writes U+FFFD for it.
  it('an audit line with a NUL byte gives no event the API refuses', () => {
    const line =
      'type=SECCOMP msg=audit(1764400600.123:42): pid=1 comm="a b" exe=(nul\u0000) sig=0 arch=c000003e syscall=99999 compat=0 ip=0x0 code=0x7fc00000';
    const parser = new AuditStreamParser({ host: 'h', bootId: 'b00t' });
    const produced = [...parser.push(line, 1, 0), ...parser.flush()];
    for (const o of produced) if (o.type === 'event') expectValid(o.event);
  });

  // Found by fuzzing: numbers outside SecurityEvent's ranges (auid=42949672934, sig=3131) were
  // kept and the API refused the event. The parser now leaves them out (sig goes to details).
  it('an audit line with an id past 32 bits gives no event the API refuses', () => {
    const line =
      'type=SECCOMP msg=audit(1764400123.456:8812): auid=42949672934 uid=1000 gid=1000 ses=3 pid=4242 comm="curl" exe="/usr/bin/curl" sig=31 arch=c000003e syscall=101 compat=0 ip=0x7f code=0x80000000';
    const parser = new AuditStreamParser({ host: 'h', bootId: 'b00t' });
    for (const o of [...parser.push(line, 1, 0), ...parser.flush()])
      if (o.type === 'event') expectValid(o.event);
  });
});

describe('fuzz: tool adapters', () => {
  for (const tool of TOOL_NAMES) {
    it(
      `${tool}: adapt and adaptLine never throw, and every event they make is valid`,
      () => {
        const seeds = toolSeeds(tool);
        const adapter = createToolAdapter(tool, { host: 'fuzz-host', now: () => 1_764_400_000_000 });
        const asLine = mutatedText(seeds.map((s) => JSON.stringify(s)));
        fc.assert(
          fc.property(fc.oneof(mutatedJson(seeds), asLine), (input) => {
            const result = typeof input === 'string' ? adapter.adaptLine(input) : adapter.adapt(input);
            if (result.ok) {
              if (result.event) expectValid(result.event);
            } else {
              expect(typeof result.error.code).toBe('string');
            }
          }),
          fuzzParameters(1500),
        );
      },
      fuzzTimeout(),
    );
  }
});

describe('fuzz: validateSecurityEvent', () => {
  it(
    'never throws; what it accepts it accepts again unchanged, holding no NUL and no lone surrogate',
    () => {
      const seeds = [0, 1, 2].map(eventSeed);
      fc.assert(
        fc.property(fc.oneof(mutatedJson(seeds), fc.anything({ maxDepth: 3 })), (input) => {
          const v = validateSecurityEvent(input);
          if (!v.ok) {
            expect(v.errors.length).toBeGreaterThan(0);
            return;
          }
          // Through JSON, as the wire does (-0 becomes 0 there, so compare the JSON).
          const again = validateSecurityEvent(JSON.parse(JSON.stringify(v.event)));
          expect(JSON.stringify(again)).toBe(JSON.stringify(v));
          const text = JSON.stringify(v.event);
          expect(text).not.toContain('\\u0000');
          expect(/\\ud[89a-f][0-9a-f]{2}/i.test(text)).toBe(false);
        }),
        fuzzParameters(3000),
      );
    },
    fuzzTimeout(),
  );

  it('refuses a lone surrogate in a text field and in details (regression: it failed whole batches)', () => {
    for (const patch of [
      { host: 'h\ud83d' },
      { process: { comm: '\udc00x' } },
      { details: { k: 'v\ud800' } },
      { details: { ['\ud800']: 1 } },
    ]) {
      const v = validateSecurityEvent({ ...eventSeed(0), ...patch });
      expect(v.ok, JSON.stringify(patch)).toBe(false);
    }
    expect(validateSecurityEvent({ ...eventSeed(0), host: 'h-🚀' }).ok).toBe(true);
  });
});
