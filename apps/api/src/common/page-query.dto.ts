import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';

/** `limit` and `cursor` of a list answered in keyset pages (`{items, nextCursor}`). */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100, description: 'Items per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({
    description: 'nextCursor of the previous page (opaque); the filters must stay the same',
    maxLength: 1000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

/** A page of a keyset list: `limit + 1` rows asked for, the extra one says there is more. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  keyOf: (last: T) => string,
): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? keyOf(items[items.length - 1]) : null };
}
