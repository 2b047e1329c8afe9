import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' }) code!: string;
  @ApiProperty({ example: 'The request is not valid' }) message!: string;
  @ApiPropertyOptional({
    description: 'Extra facts; validation errors carry `errors: [{pointer, message}]` (JSON pointers)',
    example: { errors: [{ pointer: '/name', message: 'name must be a string' }] },
  })
  details?: Record<string, unknown>;
}

/** The one error shape of every answer that is not a success. */
export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}
