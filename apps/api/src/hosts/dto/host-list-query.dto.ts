import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { RETIRED_FILTERS, type RetiredFilter } from '../host.repository.js';

/** `key=value`, comma-separated, Kubernetes-like keys (as labels.validator.ts). */
export const LABEL_FILTER =
  /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?=[^,]{0,256}(,[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?=[^,]{0,256}){0,19}$/;

/** GET /v1/hosts: filters and keyset paging (by name). */
export class HostListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Only hosts with every one of these labels: comma-separated key=value pairs, at most 20 (e.g. env=prod,team=edge)',
    example: 'env=prod',
  })
  @IsOptional()
  @IsString()
  @Matches(LABEL_FILTER, { message: 'label must be key=value pairs separated by commas (at most 20)' })
  label?: string;

  @ApiPropertyOptional({
    description: 'Only hosts whose name starts with this',
    example: 'web-',
    maxLength: 253,
  })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  namePrefix?: string;

  @ApiPropertyOptional({
    description: 'Only hosts last seen (event or heartbeat) at or after this time; ISO 8601',
    type: String,
    format: 'date-time',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  seenAfter?: Date;

  @ApiPropertyOptional({
    description:
      'Only hosts last seen (event or heartbeat) before this time, e.g. to find silent ones; ISO 8601',
    type: String,
    format: 'date-time',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  seenBefore?: Date;

  @ApiPropertyOptional({
    enum: RETIRED_FILTERS,
    default: 'exclude',
    description: 'Retired hosts: left out (exclude), listed too (include), or the only ones listed (only)',
  })
  @IsOptional()
  @IsIn(RETIRED_FILTERS)
  retired?: RetiredFilter;
}
