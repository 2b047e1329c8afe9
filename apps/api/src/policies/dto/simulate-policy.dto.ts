import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { SECCOMP_ACTIONS, type SeccompAction } from '@sandtrap/seccomp-profile';
import { POLICY_NAME_PATTERN } from '../policy.js';
import { HostSelectorDto } from './host-selector.dto.js';

export class RecordedRangeDto {
  @ApiProperty({ type: String, format: 'date-time' })
  @Type(() => Date)
  @IsDate()
  from!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  @Type(() => Date)
  @IsDate()
  to!: Date;

  @ApiPropertyOptional({
    type: HostSelectorDto,
    description: 'Hosts whose events count; every host when omitted',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => HostSelectorDto)
  selector?: HostSelectorDto;
}

export class SimulatePolicyDto extends RecordedRangeDto {}

export class GeneratePolicyDto extends RecordedRangeDto {
  @ApiPropertyOptional({
    description: 'Save the profile as a new policy, or a new version of this one',
    pattern: POLICY_NAME_PATTERN.source,
  })
  @IsOptional()
  @IsString()
  @Matches(POLICY_NAME_PATTERN, {
    message: 'name must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit',
  })
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  message?: string;

  @ApiPropertyOptional({ enum: SECCOMP_ACTIONS, default: 'SCMP_ACT_ERRNO' })
  @IsOptional()
  @IsIn(SECCOMP_ACTIONS)
  defaultAction?: SeccompAction;
}
