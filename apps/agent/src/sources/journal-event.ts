import type { SecurityEvent } from '@sandtrap/events';

const BARE_ID128 = /^[0-9a-f]{32}$/i;

/**
 * journald spells a boot id as 32 bare hex digits (`_BOOT_ID`), the kernel's boot_id file as a
 * UUID. The UUID spelling is the one every source uses, so a record that both kmsg and journald
 * saw gets one event key, and the service stores it once.
 */
export function canonicalBootId(bootId: string): string {
  if (!BARE_ID128.test(bootId)) return bootId;
  const id = bootId.toLowerCase();
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
}

/**
 * A journald event as the agent ships it: under the agent's host (journald's `_HOSTNAME` is the
 * machine's name, which need not be the enrolled one, and the service refuses an agent's events of
 * another host) and with the boot id, and so the event key, that kmsg would give the same record.
 */
export function asAgentEvent(event: SecurityEvent, host: string): SecurityEvent {
  const bootId = event.bootId === undefined ? undefined : canonicalBootId(event.bootId);
  const eventKey =
    event.bootId !== undefined && bootId !== event.bootId && event.eventKey.startsWith(`${event.bootId}:`)
      ? `${bootId}${event.eventKey.slice(event.bootId.length)}`
      : event.eventKey;
  return { ...event, host, bootId, eventKey };
}
