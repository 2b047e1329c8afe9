import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';

export class AgentStatsDto {
  @ApiProperty() @IsInt() @Min(0) eventsRead!: number;
  @ApiProperty() @IsInt() @Min(0) eventsShipped!: number;
  @ApiProperty() @IsInt() @Min(0) eventsDropped!: number;
  @ApiProperty() @IsInt() @Min(0) spoolDepth!: number;
  @ApiProperty() @IsInt() @Min(0) spoolBytes!: number;
  @ApiProperty() @IsInt() @Min(0) lostKernelRecords!: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) lastError?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Per-source details' })
  @IsOptional()
  @IsObject()
  sources?: Record<string, unknown>;
}

export class HeartbeatDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) agentVersion?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) bootId?: string;
  @ApiProperty({ type: AgentStatsDto }) @ValidateNested() @Type(() => AgentStatsDto) stats!: AgentStatsDto;
}
