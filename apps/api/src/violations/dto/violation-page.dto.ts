import { ApiProperty } from '@nestjs/swagger';
import { STATS_DIMENSIONS } from '../violation-query.params.js';
import { SecurityEventDto } from '../../openapi/security-event.dto.js';

export class ViolationPageDto {
  @ApiProperty({ type: [SecurityEventDto], description: 'Newest first' }) items!: SecurityEventDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= (with the same filters) for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class ViolationGroupDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: `The value of the groupBy dimension (${STATS_DIMENSIONS.join(', ')}); null for events without one`,
  })
  key!: string | null;
  @ApiProperty({ type: 'integer', minimum: 1 }) count!: number;
}

export class ViolationStatsDto {
  @ApiProperty({ type: [ViolationGroupDto], description: 'Largest count first' })
  groups!: ViolationGroupDto[];
}

export class ViolationBucketDto {
  @ApiProperty({
    format: 'date-time',
    description: 'Start of the bucket (buckets are aligned to the interval)',
  })
  start!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 1 },
    description: 'Events per action in the bucket; actions without events are left out',
    example: { kill_process: 3, errno: 12 },
  })
  counts!: Record<string, number>;
}

export class ViolationTimeseriesDto {
  @ApiProperty({ type: [ViolationBucketDto], description: 'Every bucket of [from, to), empty ones too' })
  buckets!: ViolationBucketDto[];
}
