import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export class ProfileStatusDto {
  @ApiProperty() @IsString() @MaxLength(200) policy!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(/^[0-9a-f]{64}$/) sha256?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096) path?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) error?: string;
}

export class HostStatusDto {
  @ApiProperty({ type: [ProfileStatusDto] })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ProfileStatusDto)
  profiles!: ProfileStatusDto[];
}

export class HostAssignmentDto {
  @ApiProperty() policy!: string;
  @ApiProperty() version!: number;
  @ApiProperty() sha256!: string;
  @ApiProperty({ example: 'enforce' }) mode!: string;
  @ApiProperty({ description: 'The seccomp profile (OCI JSON)', type: 'object', additionalProperties: true })
  profile!: unknown;
}

export class HostAssignmentListDto {
  @ApiProperty({ type: [HostAssignmentDto] }) items!: HostAssignmentDto[];
}
