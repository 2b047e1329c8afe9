/** Injection token of the raw `pg.Pool` (hot paths: parameterised SQL, no ORM). Migrated before use. */
export const PG_POOL = Symbol('PG_POOL');
