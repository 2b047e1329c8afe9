import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { actorOf } from '../audit-log/audit-log.service.js';
import type { AuthToken } from '../auth/auth-token.js';
import { CurrentToken, Roles } from '../auth/auth.decorators.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { CreateTokenDto } from './dto/create-token.dto.js';
import { CreatedTokenDto, TokenDto, TokenListDto } from './dto/token.dto.js';
import type { TokenRecord } from './token.repository.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({ summary: 'Create a token; its secret is in this answer only' })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiErrorResponses(400, 401, 403, 404, 415)
  create(@Body() body: CreateTokenDto, @CurrentToken() caller: AuthToken): Promise<CreatedTokenDto> {
    return this.tokens.create(body, actorOf(caller));
  }

  @Get()
  @ApiOperation({ summary: 'List tokens (never their secrets)' })
  @ApiQuery({
    name: 'includeRevoked',
    required: false,
    description: 'true (or 1) to list revoked tokens too',
    schema: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' },
  })
  @ApiOkResponse({ type: TokenListDto })
  @ApiErrorResponses(401, 403)
  async list(@Query('includeRevoked') includeRevoked?: string): Promise<{ items: TokenRecord[] }> {
    return { items: await this.tokens.list(includeRevoked === 'true' || includeRevoked === '1') };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a token, effective at once' })
  @ApiOkResponse({ type: TokenDto })
  @ApiErrorResponses(400, 401, 403, 404)
  revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentToken() caller: AuthToken,
  ): Promise<TokenRecord> {
    return this.tokens.revoke(id, actorOf(caller));
  }
}
