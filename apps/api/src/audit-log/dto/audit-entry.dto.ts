import { ApiProperty } from '@nestjs/swagger';

export class AuditEntryDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'token:ci' }) actor!: string;
  @ApiProperty({ example: 'token.create' }) action!: string;
  @ApiProperty({ example: 'token' }) targetType!: string;
  @ApiProperty({ type: String, nullable: true }) targetId!: string | null;
  @ApiProperty({ description: 'The target before the change (null when created)', nullable: true })
  before!: unknown;
  @ApiProperty({ description: 'The target after the change (null when deleted)', nullable: true })
  after!: unknown;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}
