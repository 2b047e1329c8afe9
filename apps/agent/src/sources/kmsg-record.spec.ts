import { describe, expect, it } from 'vitest';
import { isAuditRecord, isKmsgCheckpoint, missedBetween, parseKmsgRecord } from './kmsg-record.js';
import { journalctlArgs, journalCursorOf } from './journald.source.js';

describe('kmsg records', () => {
  it('reads the sequence and keeps the first line for the audit parser', () => {
    const record = parseKmsgRecord(
      '5,1234,3190704065,-;audit: type=1326 audit(1740668907.734:6970): pid=1 syscall=268\n SUBSYSTEM=x\n',
    )!;
    expect(record.seq).toBe(1234);
    expect(record.line).toBe(
      '5,1234,3190704065,-;audit: type=1326 audit(1740668907.734:6970): pid=1 syscall=268',
    );
    expect(isAuditRecord(record)).toBe(true);
    expect(parseKmsgRecord('6,7,8,c,caller=T55;hello')).toMatchObject({ seq: 7, message: 'hello' });
    expect(isAuditRecord(parseKmsgRecord('6,7,8,-;usb 1-1: new device')!)).toBe(false);
  });
  it('refuses garbage', () => {
    for (const garbage of [
      '',
      'no semicolon',
      'a,b,c,d;x',
      '1,2;short',
      '\u0000,1,2,-;x',
      '1,99999999999999999999,2,-;x',
    ]) {
      expect(parseKmsgRecord(garbage)).toBeUndefined();
    }
  });
  it('counts records lost between sequence numbers', () => {
    expect(missedBetween(undefined, 10)).toBe(0);
    expect(missedBetween(9, 10)).toBe(0);
    expect(missedBetween(5, 10)).toBe(4);
    expect(missedBetween(10, 3)).toBe(0);
  });
  it('checks saved checkpoints', () => {
    expect(isKmsgCheckpoint({ bootId: 'b', seq: 3 })).toBe(true);
    for (const garbage of [null, {}, { bootId: 1, seq: 3 }, { bootId: 'b', seq: 1.5 }, 'x']) {
      expect(isKmsgCheckpoint(garbage)).toBe(false);
    }
  });
});

describe('journald', () => {
  it('resumes after a cursor, or starts at the end', () => {
    expect(journalctlArgs('s=abc')).toEqual([
      '-f',
      '-o',
      'json',
      '--no-pager',
      '_TRANSPORT=audit',
      '--after-cursor',
      's=abc',
    ]);
    expect(journalctlArgs(undefined)).toContain('-n');
  });
  it('takes the cursor of a line, nothing from garbage', () => {
    expect(journalCursorOf('{"__CURSOR":"s=1;i=2","MESSAGE":"x"}')).toBe('s=1;i=2');
    for (const garbage of ['', '{', 'null', '{"__CURSOR":5}', '[]'])
      expect(journalCursorOf(garbage)).toBeUndefined();
  });
});
