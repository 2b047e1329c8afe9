import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsLabelMap } from './labels.validator.js';

export const HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

export class EnrollHostDto {
  @ApiProperty({ example: 'web-1.example.org' })
  @IsString()
  @Matches(HOSTNAME, { message: 'hostname must be 1-253 of [A-Za-z0-9._-], starting alphanumeric' })
  hostname!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) bootId?: string;
  @ApiPropertyOptional({ example: '6.8.0-45-generic' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  kernel?: string;
  @ApiPropertyOptional({ example: 'x86_64' }) @IsOptional() @IsString() @MaxLength(50) arch?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { env: 'prod' } })
  @IsOptional()
  @IsLabelMap()
  labels?: Record<string, string>;

  @ApiPropertyOptional({ example: '0.1.0' }) @IsOptional() @IsString() @MaxLength(100) agentVersion?: string;
}

export class EnrolledHostDto {
  @ApiProperty({ format: 'uuid' }) hostId!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty({ description: 'The agent token of this host (role agent); shown once' }) token!: string;
}
