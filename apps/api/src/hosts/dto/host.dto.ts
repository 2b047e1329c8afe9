import { ApiProperty } from '@nestjs/swagger';
import { IsLabelMap } from './labels.validator.js';

export class HostDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty({ type: String, nullable: true }) bootId!: string | null;
  @ApiProperty({ type: String, nullable: true }) kernel!: string | null;
  @ApiProperty({ type: String, nullable: true }) arch!: string | null;
  @ApiProperty({ type: String, nullable: true }) agentVersion!: string | null;
  @ApiProperty({ format: 'date-time' }) firstSeen!: string;
  @ApiProperty({ format: 'date-time' }) lastSeen!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastHeartbeat!: string | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'Last heartbeat stats',
  })
  health!: Record<string, unknown> | null;
  @ApiProperty({
    enum: ['reporting', 'silent'],
    description: 'reporting: heartbeat or event within 5 minutes',
  })
  state!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the host was retired (DELETE /v1/hosts/{id}); null while in service',
  })
  retiredAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Who retired it', example: 'token:ops' })
  retiredBy!: string | null;
}

export class HostListDto {
  @ApiProperty({ type: [HostDto], description: 'By name' }) items!: HostDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= (with the same filters) for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class UpdateHostDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { env: 'prod', team: 'edge' },
  })
  @IsLabelMap()
  labels!: Record<string, string>;
}
