import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HostSelectorDto } from '../../policies/dto/host-selector.dto.js';
import { ASSIGNMENT_MODES, type AssignmentMode } from '../assignment.js';

export class RolloutDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    example: 0.1,
    description: 'Share of the selected hosts in the canary (default 0.1, at least one host)',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  canaryShare?: number;

  @ApiPropertyOptional({ type: [String], description: 'Canary hosts by name (instead of a share)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  canaryHosts?: string[];

  @ApiPropertyOptional({
    minimum: 0,
    description:
      'Promote automatically after this many seconds if the canary hosts record no new blocked events',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86_400)
  soakSeconds?: number;
}

export class CreateAssignmentDto {
  @ApiProperty({ example: 'web' })
  @IsString()
  @MaxLength(128)
  policy!: string;

  @ApiProperty({ example: 3 })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiProperty({ type: HostSelectorDto })
  @ValidateNested()
  @Type(() => HostSelectorDto)
  selector!: HostSelectorDto;

  @ApiProperty({
    enum: ASSIGNMENT_MODES,
    description: 'log rewrites every blocking action to SCMP_ACT_LOG: observe without breaking',
  })
  @IsIn(ASSIGNMENT_MODES)
  mode!: AssignmentMode;

  @ApiPropertyOptional({
    type: RolloutDto,
    description:
      'Stage the rollout: a canary first. Without it every selected host gets the version at once.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RolloutDto)
  rollout?: RolloutDto;
}

class AssignmentSummaryDto {
  @ApiProperty() applied!: number;
  @ApiProperty() pending!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() drift!: number;
  @ApiProperty({ description: 'Outside the canary: gets the version on promotion' }) waiting!: number;
}

class AssignmentHostDto {
  @ApiProperty({ format: 'uuid' }) hostId!: string;
  @ApiProperty() host!: string;
  @ApiProperty() canary!: boolean;
  @ApiProperty({ type: Number, nullable: true }) version!: number | null;
  @ApiProperty({ type: String, nullable: true }) expectedSha256!: string | null;
  @ApiProperty({ type: String, nullable: true }) reportedSha256!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ enum: ['applied', 'pending', 'failed', 'drift', 'waiting'] }) status!: string;
}

export class AssignmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) policyId!: string;
  @ApiProperty() policy!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: Number, nullable: true }) previousVersion!: number | null;
  @ApiProperty({ type: HostSelectorDto }) selector!: HostSelectorDto;
  @ApiProperty({ enum: ASSIGNMENT_MODES }) mode!: string;
  @ApiProperty({ enum: ['canary', 'complete', 'rolled_back'] }) stage!: string;
  @ApiProperty({ type: [String] }) canaryHostIds!: string[];
  @ApiProperty({ type: Number, nullable: true }) soakSeconds!: number | null;
  @ApiProperty({ format: 'date-time' }) stageStartedAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: AssignmentSummaryDto }) summary!: AssignmentSummaryDto;
  @ApiPropertyOptional({ type: [AssignmentHostDto], description: 'Per host (on GET of one assignment)' })
  hosts?: AssignmentHostDto[];
}

export class AssignmentListDto {
  @ApiProperty({ type: [AssignmentDto], description: 'Oldest first' }) items!: AssignmentDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
