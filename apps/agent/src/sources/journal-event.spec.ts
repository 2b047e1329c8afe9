import { AuditStreamParser } from '@sandtrap/audit';
import { describe, expect, it } from 'vitest';
import { parseAuditLines } from './audit-outputs.js';
import { asAgentEvent, canonicalBootId } from './journal-event.js';

const BOOT = '0c0ffee0-1234-4abc-8def-00112233aabb';
const BODY =
  'auid=0 uid=0 gid=0 ses=1 subj=unconfined pid=4242 comm="probe" exe="/usr/bin/probe" sig=0 ' +
  'arch=c000003e syscall=39 compat=0 ip=0x7f0000001000 code=0x7ffc0000';

/** One record, as /dev/kmsg and as `journalctl -o json` (audit transport) hand it to the agent. */
const kmsgLine = `5,812,3190704065,-;audit: type=1326 audit(1795935734.175:6970): ${BODY}`;
const journalLine = JSON.stringify({
  __CURSOR: 's=feed;i=1',
  __REALTIME_TIMESTAMP: '1795935734200311',
  _BOOT_ID: BOOT.replaceAll('-', ''),
  _HOSTNAME: 'machine-name',
  _TRANSPORT: 'audit',
  _AUDIT_TYPE: '1326',
  _AUDIT_TYPE_NAME: 'SECCOMP',
  _AUDIT_ID: '6970',
  _SOURCE_REALTIME_TIMESTAMP: '1795935734175000',
  MESSAGE: `SECCOMP ${BODY}`,
});

const parse = (source: 'kmsg' | 'journald', line: string) =>
  parseAuditLines(new AuditStreamParser({ host: 'enrolled-host', bootId: BOOT, source }), [line]).events;

describe('journald events as the agent ships them', () => {
  it('spell the boot id as a UUID', () => {
    expect(canonicalBootId(BOOT.replaceAll('-', ''))).toBe(BOOT);
    expect(canonicalBootId(BOOT.replaceAll('-', '').toUpperCase())).toBe(BOOT);
    expect(canonicalBootId(BOOT)).toBe(BOOT);
    expect(canonicalBootId('unknown-boot')).toBe('unknown-boot');
  });

  it('give a record the key kmsg gives it, under the agent host', () => {
    const [fromKmsg] = parse('kmsg', kmsgLine);
    const [parsed] = parse('journald', journalLine);
    // What libs/audit makes of the journald entry on its own: another spelling, another host.
    expect(parsed.eventKey).not.toBe(fromKmsg.eventKey);
    expect(parsed.host).toBe('machine-name');
    const shipped = asAgentEvent(parsed, 'enrolled-host');
    expect(shipped.eventKey).toBe(fromKmsg.eventKey);
    expect(shipped.eventKey).toBe(`${BOOT}:1795935734.175:6970`);
    expect(shipped.observedAt).toBe(fromKmsg.observedAt);
    expect(shipped.bootId).toBe(BOOT);
    expect(shipped.host).toBe('enrolled-host');
    expect(shipped.source).toBe('journald');
  });

  it('leave keys without a boot id prefix alone', () => {
    const event = { ...parse('kmsg', kmsgLine)[0], bootId: undefined, eventKey: 'other:1' };
    expect(asAgentEvent(event, 'h')).toMatchObject({ eventKey: 'other:1', bootId: undefined, host: 'h' });
  });
});
