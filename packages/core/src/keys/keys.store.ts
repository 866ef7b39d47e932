import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { CofferSchema } from "../db/schema.js";
import { setVersionsCorrupted, type VersionKey } from "../secrets/secrets.store.js";

/** Every key id something in the store is wrapped or MACed with: versions and the audit anchor. */
export async function kidsInUse(database: Database): Promise<string[]> {
  const versions = await database.db.selectFrom("secret_versions").select("kid").distinct().execute();
  const anchor = await database.db.selectFrom("audit_anchor").select("kid").execute();
  return [...new Set([...versions.map((r) => r.kid), ...anchor.map((r) => r.kid)])].sort();
}

/** The queries of key rotation and key status. */
export function createKeysStore(db: Kysely<CofferSchema>) {
  return {
    async countNotWrappedBy(kid: string): Promise<number> {
      const row = await db
        .selectFrom("secret_versions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("kid", "!=", kid)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async countByKid(): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom("secret_versions")
        .select(["kid", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy("kid")
        .execute();
      return new Map(rows.map((r) => [r.kid, Number(r.n)]));
    },

    /** The next batch of versions not wrapped by `kid`, in key order after `after`. */
    async batchNotWrappedBy(kid: string, after: VersionKey | null, limit: number) {
      return db
        .selectFrom("secret_versions")
        .select(["id", "secret_id", "workspace_id", "number", "wrapped_key", "kid"])
        .where("kid", "!=", kid)
        .$if(after !== null, (q) =>
          q.where((eb) => eb(eb.refTuple("secret_id", "number"), ">", eb.tuple(after!.secretId, after!.number))),
        )
        .orderBy("secret_id")
        .orderBy("number")
        .limit(limit)
        .execute();
    },

    /** Re-wrapped data keys; a row another process changed meanwhile (other kid) is left alone. */
    async saveRewrapped(
      trx: Kysely<CofferSchema>,
      updates: readonly (VersionKey & { fromKid: string; wrappedKey: string })[],
      kid: string,
    ) {
      for (const u of updates) {
        await trx
          .updateTable("secret_versions")
          .set({ wrapped_key: u.wrappedKey, kid })
          .where("secret_id", "=", u.secretId)
          .where("number", "=", u.number)
          .where("kid", "=", u.fromKid)
          .execute();
      }
    },

    /** How many versions each key id wraps, and the key id that MACs the audit anchor. */
    async keyUsage(): Promise<{ versions: Map<string, number>; anchorKid?: string }> {
      const anchor = await db.selectFrom("audit_anchor").select("kid").executeTakeFirst();
      return { versions: await this.countByKid(), ...(anchor ? { anchorKid: anchor.kid } : {}) };
    },

    markCorrupted: (trx: Kysely<CofferSchema>, versions: readonly VersionKey[], at: string) =>
      setVersionsCorrupted(trx, versions, at),
  };
}

export type KeysStore = ReturnType<typeof createKeysStore>;
