import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Matches, MaxLength, MinLength, IsOptional } from 'class-validator';
import { GRANTABLE_ROLES } from '../../auth/role.js';

export class CreateTokenDto {
  @ApiProperty({ example: 'ci-shipper', description: 'What the token is for (shown in the audit log)' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({ enum: [...GRANTABLE_ROLES, 'agent'], description: '`agent` needs hostId' })
  @IsIn([...GRANTABLE_ROLES, 'agent'])
  role!: (typeof GRANTABLE_ROLES)[number] | 'agent';

  @ApiPropertyOptional({ format: 'uuid', description: 'For role agent: the host the token acts for' })
  @IsOptional()
  @IsUUID()
  hostId?: string;
}
