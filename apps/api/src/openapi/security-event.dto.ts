import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  EVENT_ACTIONS,
  EVENT_KINDS,
  EVENT_SOURCES,
  type EventContainer,
  type EventProcess,
  type EventSyscall,
  type SecurityEvent,
} from '@sandtrap/events';

/**
 * The SecurityEvent wire shape (DESIGN.md, "The event model") for the OpenAPI document: what
 * /v1/ingest/events reads (one per NDJSON line) and what /v1/violations answers. Absent values
 * are left out, never null.
 */
export class EventProcessDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) pid?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) tid?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) ppid?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) uid?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) gid?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Audit (login) uid' }) auid?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Audit session id' }) ses?: number;
  @ApiPropertyOptional({ example: 'curl' }) comm?: string;
  @ApiPropertyOptional({ example: '/usr/bin/curl' }) exe?: string;
  @ApiPropertyOptional({ example: 'curl https://example.org' }) cmdline?: string;
}

export class EventContainerDto {
  @ApiPropertyOptional() id?: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ example: 'nginx:1.27' }) image?: string;
  @ApiPropertyOptional() pod?: string;
  @ApiPropertyOptional() namespace?: string;
}

export class EventSyscallDto {
  @ApiPropertyOptional({ example: 'x86_64', description: 'Architecture name as the record gave it' })
  arch?: string;
  @ApiPropertyOptional({ type: 'integer', example: 101 }) nr?: number;
  @ApiPropertyOptional({ example: 'ptrace', description: "Resolved with the record's own arch" })
  name?: string;
  @ApiPropertyOptional({ description: 'A compat (32-bit) call on a 64-bit kernel' }) compat?: boolean;
}

export class EventNumberedDto {
  @ApiPropertyOptional({ type: 'integer', example: 1 }) nr?: number;
  @ApiPropertyOptional({ example: 'EPERM' }) name?: string;
}

export class SecurityEventDto {
  @ApiProperty({ description: 'Idempotency key, unique per host', example: '5d1c...:1700000000.123:42' })
  eventKey!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'When the kernel or sensor saw it (ISO 8601, microseconds)',
    example: '2026-01-01T12:00:00.123456Z',
  })
  observedAt!: string;
  @ApiProperty({ example: 'web-1' }) host!: string;
  @ApiPropertyOptional() bootId?: string;
  @ApiProperty({ enum: EVENT_SOURCES }) source!: string;
  @ApiProperty({ enum: EVENT_KINDS }) kind!: string;
  @ApiPropertyOptional({ type: EventProcessDto }) process?: EventProcessDto;
  @ApiPropertyOptional({ type: EventContainerDto }) container?: EventContainerDto;
  @ApiPropertyOptional({ type: EventSyscallDto }) syscall?: EventSyscallDto;
  @ApiProperty({ enum: EVENT_ACTIONS }) action!: string;
  @ApiPropertyOptional({ type: EventNumberedDto }) errno?: EventNumberedDto;
  @ApiPropertyOptional({ type: EventNumberedDto }) signal?: EventNumberedDto;
  @ApiProperty({ description: 'The call did not run as asked (every action but log, allow, alert)' })
  blocked!: boolean;
  @ApiPropertyOptional() policy?: string;
  @ApiPropertyOptional() rule?: string;
  @ApiPropertyOptional() severity?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Source-specific fields' })
  details?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'The original line or JSON, at most 8 KiB' }) raw?: string;
}

/** Compiles only while the DTO documents every field of the wire type. */
type Covers<Wire, Dto> = [Exclude<keyof Wire, keyof Dto>] extends [never] ? true : never;
export const SECURITY_EVENT_DTO_COMPLETE: Covers<SecurityEvent, SecurityEventDto> &
  Covers<EventProcess, EventProcessDto> &
  Covers<EventContainer, EventContainerDto> &
  Covers<EventSyscall, EventSyscallDto> = true;
