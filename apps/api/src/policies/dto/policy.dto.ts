import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PolicyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty() latestVersion!: number;
  @ApiProperty() sha256!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class PolicyListDto {
  @ApiProperty({ type: [PolicyDto], description: 'By name' }) items!: PolicyDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class ProfileWarningDto {
  @ApiProperty() code!: string;
  @ApiProperty() pointer!: string;
  @ApiProperty() message!: string;
}

export class PolicyVersionSummaryDto {
  @ApiProperty() version!: number;
  @ApiProperty() sha256!: string;
  @ApiProperty() author!: string;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class PolicyVersionListDto {
  @ApiProperty({ type: [PolicyVersionSummaryDto] }) items!: PolicyVersionSummaryDto[];
}

export class PolicyVersionDto extends PolicyVersionSummaryDto {
  @ApiProperty() policy!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The OCI seccomp profile' })
  profile!: Record<string, unknown>;
  @ApiPropertyOptional({ type: [ProfileWarningDto], description: 'Lint findings (on create and update)' })
  warnings?: ProfileWarningDto[];
  @ApiPropertyOptional({ description: 'True when the profile equals the latest version, so none was made' })
  unchanged?: boolean;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: "The policy's description (on GET of the policy's latest version)",
  })
  description?: string | null;
}

class SyscallOutcomeDto {
  @ApiProperty() action!: string;
  @ApiPropertyOptional() errnoRet?: number;
  @ApiPropertyOptional() conditional?: boolean;
}

class DiffEntryDto {
  @ApiProperty() arch!: string;
  @ApiProperty() syscall!: string;
  @ApiProperty({ type: SyscallOutcomeDto }) from!: SyscallOutcomeDto;
  @ApiProperty({ type: SyscallOutcomeDto }) to!: SyscallOutcomeDto;
}

export class PolicyDiffDto {
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
  @ApiProperty({ type: [DiffEntryDto] }) changes!: DiffEntryDto[];
}

class SimulatedGroupDto {
  @ApiProperty() host!: string;
  @ApiProperty() arch!: string;
  @ApiProperty({ type: String, nullable: true }) syscall!: string | null;
  @ApiProperty({ type: Number, nullable: true }) nr!: number | null;
  @ApiProperty() exe!: string;
  @ApiProperty() container!: string;
  @ApiProperty({ description: 'The action recorded' }) recordedAction!: string;
  @ApiProperty({ description: 'The action this profile would take' }) action!: string;
  @ApiPropertyOptional() conditional?: boolean;
  @ApiProperty() count!: number;
}

class SimulationClassDto {
  @ApiProperty() events!: number;
  @ApiProperty({ type: [SimulatedGroupDto] }) groups!: SimulatedGroupDto[];
  @ApiProperty() groupsNotListed!: number;
}

export class SimulationDto {
  @ApiProperty() policy!: string;
  @ApiProperty() version!: number;
  @ApiProperty() hosts!: number;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty() events!: number;
  @ApiProperty({ type: SimulationClassDto }) newlyBlocked!: SimulationClassDto;
  @ApiProperty({ type: SimulationClassDto }) newlyAllowed!: SimulationClassDto;
  @ApiProperty({ type: SimulationClassDto }) unchanged!: SimulationClassDto;
}

export class GeneratedProfileDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) profile!: Record<string, unknown>;
  @ApiProperty() sha256!: string;
  @ApiProperty() hosts!: number;
  @ApiProperty() events!: number;
  @ApiProperty() syscalls!: number;
  @ApiProperty() skipped!: number;
  @ApiPropertyOptional({ type: PolicyVersionDto }) saved?: PolicyVersionDto;
}
