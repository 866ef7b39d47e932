import { type Kysely, type Selectable, sql } from "kysely";
import { createCompiledQueries } from "../db/compiled-queries.js";
import type { CofferSchema, SecretsTable, SecretVersionsTable } from "../db/schema.js";

export type SecretRow = Selectable<SecretsTable>;
export type VersionRow = Selectable<SecretVersionsTable>;
export type SecretWithVersion = SecretRow & {
  ciphertext: string;
  wrapped_key: string;
  kid: string;
  key_names: string;
  metadata: string;
  version_count: number;
};

type Db = Kysely<CofferSchema>;

/** Secrets joined with their current version and version count: one query for any number. */
function withCurrentVersion(db: Db) {
  return db
    .selectFrom("secrets as s")
    .innerJoin("secret_versions as v", "v.id", "s.current_version_id")
    .selectAll("s")
    .select([
      "v.ciphertext",
      "v.wrapped_key",
      "v.kid",
      "v.key_names",
      "v.metadata",
      (eb) =>
        eb
          .selectFrom("secret_versions as c")
          .select((c) => c.fn.countAll<number>().as("n"))
          .whereRef("c.secret_id", "=", "s.id")
          .as("version_count"),
    ]);
}

/** What the run path needs of a secret: no counts, no metadata. */
export type SecretValuesRow = Pick<
  SecretRow,
  "id" | "name" | "type" | "environment" | "workspace_id" | "current_version_id"
> &
  Pick<VersionRow, "ciphertext" | "wrapped_key" | "kid" | "key_names">;

export interface ListFilter {
  environment?: string;
  type?: string;
  prefix?: string;
  limit: number;
  after?: { name: string; environment: string; id: string };
}

export function createSecretsStore(db: Db) {
  const rows = createCompiledQueries();
  return {
    async findById(workspaceId: string, id: string, trx: Db = db): Promise<SecretWithVersion | undefined> {
      const [row] = await rows(trx, "findById", [workspaceId, id], () =>
        withCurrentVersion(trx).where("s.workspace_id", "=", workspaceId).where("s.id", "=", id),
      );
      return row && normalise(row);
    },

    async findByName(workspaceId: string, name: string, environment: string, trx: Db = db) {
      const [row] = await rows(trx, "findByName", [workspaceId, name, environment], () =>
        withCurrentVersion(trx)
          .where("s.workspace_id", "=", workspaceId)
          .where("s.name", "=", name)
          .where("s.environment", "=", environment),
      );
      return row && normalise(row);
    },

    /** The run path: current values of several secrets of one environment, one query. */
    async findValuesByName(
      workspaceId: string,
      names: readonly string[],
      environment: string,
      trx: Db = db,
    ): Promise<SecretValuesRow[]> {
      if (names.length === 0) return [];
      return rows(trx, `findValuesByName:${names.length}`, [workspaceId, environment, ...names], () =>
        trx
          .selectFrom("secrets as s")
          .innerJoin("secret_versions as v", "v.id", "s.current_version_id")
          .select([
            "s.id",
            "s.name",
            "s.type",
            "s.environment",
            "s.workspace_id",
            "s.current_version_id",
            "v.ciphertext",
            "v.wrapped_key",
            "v.kid",
            "v.key_names",
          ])
          .where("s.workspace_id", "=", workspaceId)
          .where("s.environment", "=", environment)
          .where("s.name", "in", names),
      );
    },

    async list(workspaceId: string, filter: ListFilter, trx: Db = db) {
      let q = withCurrentVersion(trx).where("s.workspace_id", "=", workspaceId);
      if (filter.environment !== undefined) q = q.where("s.environment", "=", filter.environment);
      if (filter.type !== undefined) q = q.where("s.type", "=", filter.type);
      if (filter.prefix) {
        const pattern = `${filter.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where(sql<boolean>`${sql.ref("s.name")} like ${pattern} escape '\\'`);
      }
      const after = filter.after;
      if (after) {
        q = q.where((eb) =>
          eb.or([
            eb("s.name", ">", after.name),
            eb.and([eb("s.name", "=", after.name), eb("s.environment", ">", after.environment)]),
            eb.and([
              eb("s.name", "=", after.name),
              eb("s.environment", "=", after.environment),
              eb("s.id", ">", after.id),
            ]),
          ]),
        );
      }
      const rows = await q.orderBy("s.name").orderBy("s.environment").orderBy("s.id").limit(filter.limit).execute();
      return rows.map(normalise);
    },

    async listVersions(secretId: string, trx: Db = db): Promise<VersionRow[]> {
      return trx
        .selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", secretId)
        .orderBy("number", "desc")
        .execute();
    },

    async findVersion(secretId: string, number: number, trx: Db = db) {
      return trx
        .selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", secretId)
        .where("number", "=", number)
        .executeTakeFirst();
    },

    async insertSecret(trx: Db, secret: SecretRow, version: VersionRow) {
      await trx.insertInto("secrets").values(secret).execute();
      await trx.insertInto("secret_versions").values(version).execute();
    },

    /** Adds a version if the secret still has `expectedVersionId` as current; false if it moved on. */
    async addVersion(
      trx: Db,
      secretId: string,
      expectedVersionId: string,
      version: VersionRow,
      changes: Partial<Pick<SecretRow, "expires_at" | "expires_at_manual" | "description" | "tags">> & {
        updated_at: string;
        updated_by: string;
      },
      keep: number,
    ): Promise<boolean> {
      const result = await trx
        .updateTable("secrets")
        .set({ ...changes, current_version_id: version.id, current_version: version.number })
        .where("id", "=", secretId)
        .where("current_version_id", "=", expectedVersionId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.insertInto("secret_versions").values(version).execute();
      await trx
        .deleteFrom("secret_versions")
        .where("secret_id", "=", secretId)
        .where("number", "<=", version.number - keep)
        .execute();
      return true;
    },

    async updateMetadata(
      trx: Db,
      secretId: string,
      changes: Partial<Pick<SecretRow, "expires_at" | "expires_at_manual" | "description" | "tags">> & {
        updated_at: string;
        updated_by: string;
      },
    ) {
      await trx.updateTable("secrets").set(changes).where("id", "=", secretId).execute();
    },

    async deleteSecret(trx: Db, secretId: string) {
      await trx.deleteFrom("secret_versions").where("secret_id", "=", secretId).execute();
      await trx.deleteFrom("secrets").where("id", "=", secretId).execute();
    },

    async maxVersionNumber(secretId: string, trx: Db = db): Promise<number> {
      const row = await trx
        .selectFrom("secret_versions")
        .select((eb) => eb.fn.max("number").as("n"))
        .where("secret_id", "=", secretId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}

export type SecretsStore = ReturnType<typeof createSecretsStore>;

function normalise<T extends { version_count: unknown; current_version: unknown; expires_at_manual: unknown }>(
  row: T,
): T & SecretWithVersion {
  // PostgreSQL returns count(*) as a string (bigint)
  return {
    ...row,
    version_count: Number(row.version_count),
    current_version: Number(row.current_version),
    expires_at_manual: Number(row.expires_at_manual),
  } as T & SecretWithVersion;
}
