import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { POLICY_NAME_PATTERN } from '../policy.js';

const PROFILE_DOC = {
  description:
    'The seccomp profile: an OCI/Docker JSON object, or a string holding OCI JSON or a security-profiles-operator SeccompProfile YAML',
  oneOf: [{ type: 'object', additionalProperties: true }, { type: 'string' }],
  example: {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
  },
};

export class CreatePolicyDto {
  @ApiProperty({ pattern: POLICY_NAME_PATTERN.source, example: 'web' })
  @IsString()
  @Matches(POLICY_NAME_PATTERN, {
    message: 'name must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit',
  })
  name!: string;

  @ApiProperty(PROFILE_DOC)
  @IsDefined()
  profile!: unknown;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why this version (like a commit message)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  message?: string;
}

export class UpdatePolicyDto {
  @ApiProperty(PROFILE_DOC)
  @IsDefined()
  profile!: unknown;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  message?: string;
}
