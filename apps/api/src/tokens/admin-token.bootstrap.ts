import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PG_POOL } from '../database/pg-pool.js';
import { inTransaction } from '../database/transaction.js';
import { TokenRepository } from './token.repository.js';
import { TokensService } from './tokens.service.js';

/** Serialises the first-admin check across replicas starting together ("sandtrap-admin"). */
const ADMIN_BOOTSTRAP_LOCK_KEY = '7310312262883225713';

/**
 * The first admin: SANDTRAP_ADMIN_TOKEN when configured; otherwise, when the database has no live
 * admin token, one is generated, saved to `<data dir>/admin-token` (0600) and logged this once.
 */
@Injectable()
export class AdminTokenBootstrap implements OnModuleInit {
  private readonly logger = new Logger('AdminToken');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly tokens: TokensService,
    private readonly repository: TokenRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.adminToken !== undefined) return;
    const created = await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADMIN_BOOTSTRAP_LOCK_KEY]);
      if ((await this.repository.countActiveAdmins(client)) > 0) return undefined;
      return this.tokens.createInTransaction({ name: 'first-admin', role: 'admin' }, 'system', client);
    });
    if (!created) return;
    const file = path.join(this.config.dataDir, 'admin-token');
    await mkdir(this.config.dataDir, { recursive: true, mode: 0o711 });
    await writeFile(file, `${created.token}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    this.logger.warn(
      `Generated the first admin token (shown only this once, also saved in ${file} with mode 0600): ${created.token}`,
    );
  }
}
