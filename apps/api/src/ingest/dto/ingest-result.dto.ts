import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class IngestProblemDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: '0-based position of the event in the request' })
  index!: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: '1-based line, for line-based bodies' })
  line?: number;
  @ApiProperty({
    example: 'invalid_event',
    description:
      'Why this event was not stored: invalid_json, invalid_event, invalid_time, too_old, in_future, ' +
      'invalid_utf8, invalid_text, missing_host, foreign_host (an agent token sent an event of another ' +
      'host), or a parser code of the source',
  })
  code!: string;
  @ApiProperty({ example: '/observedAt: must be an ISO 8601 time with a zone' }) message!: string;
}

/** The 202 answer of every ingest route: the batch is stored all or nothing, the refused lines listed. */
export class IngestResultDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events stored by this request' })
  accepted!: number;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Events already stored (same host, eventKey and observedAt) or repeated in the request',
  })
  duplicates!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events refused; each is in errors' })
  rejected!: number;
  @ApiProperty({
    type: [IngestProblemDto],
    description: 'Why each refused event was refused, in request order',
  })
  errors!: IngestProblemDto[];
}
