import { type Kysely, sql } from "kysely";
import type { DialectName } from "../db/database.js";
import type { AuditAnchorTable, AuditEventsTable, CofferSchema } from "../db/schema.js";

type Db = Kysely<CofferSchema>;
const ANCHOR_ID = "head";

/** The audit chain's queries: events, the anchored head, and the writers' lock. */
export function createAuditStore(db: Db, dialect: DialectName) {
  return {
    /** Serialises chain writers; SQLite writers already hold the database's write lock (BEGIN IMMEDIATE). */
    async lockChain(trx: Db): Promise<void> {
      if (dialect === "postgres") {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.coffer_audit_chain'))`.execute(trx);
      }
    },

    readAnchor: (trx: Db = db) =>
      trx.selectFrom("audit_anchor").selectAll().where("id", "=", ANCHOR_ID).executeTakeFirst(),

    async writeAnchor(trx: Db, row: Omit<AuditAnchorTable, "id">, exists: boolean) {
      if (exists) await trx.updateTable("audit_anchor").set(row).where("id", "=", ANCHOR_ID).execute();
      else
        await trx
          .insertInto("audit_anchor")
          .values({ id: ANCHOR_ID, ...row })
          .execute();
    },

    /** The hash of event `seq`, if it exists: one indexed read. */
    async hashAt(trx: Db, seq: number): Promise<string | undefined> {
      const row = await trx.selectFrom("audit_events").select("hash").where("seq", "=", seq).executeTakeFirst();
      return row?.hash;
    },

    async insertEvents(trx: Db, rows: AuditEventsTable[]) {
      await trx.insertInto("audit_events").values(rows).execute();
    },

    /** Events from `seq` on, in order, a batch at a time (for `audit verify`). */
    eventsFrom: (seq: number, limit: number) =>
      db.selectFrom("audit_events").selectAll().where("seq", ">=", seq).orderBy("seq").limit(limit).execute(),

    /** Oldest first, for tests and exports; `page` (audit.listing.ts) serves users newest first. */
    list(filter: { workspaceId?: string; limit?: number; afterSeq?: number }) {
      let q = db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("seq")
        .limit(filter.limit ?? 100);
      if (filter.workspaceId) q = q.where("workspace_id", "=", filter.workspaceId);
      if (filter.afterSeq !== undefined) q = q.where("seq", ">", filter.afterSeq);
      return q.execute();
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
