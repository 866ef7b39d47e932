import type { Kysely } from "kysely";
import { createCompiledQueries } from "../db/compiled-queries.js";
import type { CofferSchema } from "../db/schema.js";

type Db = Kysely<CofferSchema>;
type Role = "viewer" | "editor" | "admin";

export interface TokenRow {
  id: string;
  workspace_id: string;
  name: string;
  role: Role;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
}

export function createTokensStore(db: Db) {
  const rows = createCompiledQueries();
  return {
    async insert(trx: Db, token: TokenRow & { token_hash: string }) {
      await trx
        .insertInto("api_tokens")
        .values({ ...token, revoked_at: null })
        .execute();
    },

    async listActive(workspaceId: string): Promise<TokenRow[]> {
      return db
        .selectFrom("api_tokens")
        .select(["id", "workspace_id", "name", "role", "created_by", "created_at", "last_used_at"])
        .where("workspace_id", "=", workspaceId)
        .where("revoked_at", "is", null)
        .orderBy("created_at")
        .execute();
    },

    async findActive(workspaceId: string, id: string) {
      return db
        .selectFrom("api_tokens")
        .select(["id", "name"])
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
    },

    async revoke(trx: Db, id: string, at: string) {
      await trx.updateTable("api_tokens").set({ revoked_at: at }).where("id", "=", id).execute();
    },

    /** The active token with this SHA-256, joined with its workspace's slug: one compiled point read. */
    async findByHash(hash: string) {
      const [row] = await rows(
        db,
        "findByHash",
        [hash],
        () =>
          db
            .selectFrom("api_tokens as t")
            .innerJoin("workspaces as w", "w.id", "t.workspace_id")
            .select([
              "t.id",
              "t.workspace_id",
              "t.name",
              "t.role",
              "t.created_by",
              "t.created_at",
              "t.last_used_at",
              "w.slug as workspace_slug",
              "t.token_hash",
            ])
            .where("t.token_hash", "=", hash)
            .where("t.revoked_at", "is", null),
        // Every API request reads its token: kept while the database does not change.
        "reuse",
      );
      return row;
    },
  };
}

export type TokensStore = ReturnType<typeof createTokensStore>;
