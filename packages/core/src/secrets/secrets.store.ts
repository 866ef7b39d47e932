import type { SecretType } from "@coffer/sdk/secret-types";
import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import { createCompiledQueries } from "../db/compiled-queries.js";
import type { DialectName } from "../db/database.js";
import { convertedOnce } from "../db/immediate-reads.js";
import type { CofferSchema, SecretsTable, SecretVersionsTable } from "../db/schema.js";
import type { SecretMetadata } from "../secret-types/index.js";

type Db = Kysely<CofferSchema>;
type SecretRowRaw = Selectable<SecretsTable>;
type VersionRowRaw = Selectable<SecretVersionsTable>;

/** The sealed part of a version: what the envelope needs to open it. */
export interface SealedVersion {
  ciphertext: string;
  wrapped_key: string;
  kid: string;
}

/**
 * A secret with its current version's facts, JSON columns parsed: what metadata reads see. The
 * sealed value itself is not read with it (see `sealedVersion`), only the key id it is sealed under.
 */
export interface SecretRecord {
  id: string;
  workspace_id: string;
  name: string;
  type: SecretType;
  environment: string;
  description: string | null;
  tags: Record<string, string>;
  expires_at: string | null;
  expires_at_manual: boolean;
  current_version_id: string;
  current_version: number;
  created_at: string;
  updated_at: string;
  updated_by: string;
  key_names: string[];
  metadata: SecretMetadata;
  version_count: number;
  kid: string;
  /** Set once a full decrypt of the current version failed. */
  corrupted_at: string | null;
}

/** One stored version, JSON columns parsed. */
export interface VersionRecord extends SealedVersion {
  id: string;
  secret_id: string;
  workspace_id: string;
  number: number;
  key_names: string[];
  metadata: SecretMetadata;
  created_by: string;
  created_at: string;
  corrupted_at: string | null;
}

/** A new secret row, before it is written. */
export type NewSecret = Pick<
  SecretRecord,
  | "id"
  | "workspace_id"
  | "name"
  | "type"
  | "environment"
  | "description"
  | "tags"
  | "expires_at"
  | "expires_at_manual"
  | "created_at"
  | "updated_at"
  | "updated_by"
>;

export type NewVersion = Omit<VersionRecord, "corrupted_at">;

export interface SecretChanges {
  updated_at: string;
  updated_by: string;
  description?: string | null;
  tags?: Record<string, string>;
  expires_at?: string | null;
  expires_at_manual?: boolean;
}

export interface ListFilter {
  environment?: string;
  type?: SecretType;
  prefix?: string;
  limit: number;
  after?: { name: string; environment: string; id: string };
}

/** Secrets joined with their current version, nothing selected yet. */
function joinedCurrent(db: Db) {
  return db
    .selectFrom("secrets as s")
    .innerJoin("secret_versions as v", (join) =>
      join.onRef("v.secret_id", "=", "s.id").onRef("v.number", "=", "s.current_version"),
    );
}

type JoinedCurrent = ReturnType<typeof joinedCurrent>;

/** Secrets joined with their current version and version count: one query for any number. */
function withCurrentVersion(db: Db) {
  return itemColumns(joinedCurrent(db));
}

function itemColumns(q: JoinedCurrent) {
  return q.selectAll("s").select([
    "v.kid",
    "v.key_names",
    "v.metadata",
    "v.corrupted_at",
    (eb) =>
      eb
        .selectFrom("secret_versions as c")
        .select((c) => c.fn.countAll<number>().as("n"))
        .whereRef("c.secret_id", "=", "s.id")
        .as("version_count"),
  ]);
}

type JoinedRow = SecretRowRaw & {
  kid: string;
  key_names: string;
  metadata: string;
  corrupted_at: string | null;
  version_count: number | string | bigint | null;
};

/** What a list line needs (`coffer secrets list`): no description, tags, metadata or count. */
export interface SecretSummaryRecord {
  id: string;
  name: string;
  type: SecretType;
  environment: string;
  expires_at: string | null;
  current_version: number;
  kid: string;
  key_names: string[];
  corrupted_at: string | null;
}

// The one place JSON columns and driver number types become domain values.
function toRecordFresh(row: JoinedRow): SecretRecord {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    name: row.name,
    type: row.type,
    environment: row.environment,
    description: row.description,
    tags: JSON.parse(row.tags) as Record<string, string>,
    expires_at: row.expires_at,
    expires_at_manual: Number(row.expires_at_manual) === 1,
    current_version_id: row.current_version_id,
    current_version: Number(row.current_version),
    created_at: row.created_at,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
    kid: row.kid,
    key_names: JSON.parse(row.key_names) as string[],
    metadata: JSON.parse(row.metadata) as SecretMetadata,
    version_count: Number(row.version_count),
    corrupted_at: row.corrupted_at,
  };
}

/** A kept row (metadata reads of an unchanged store) is converted once: its JSON is parsed once. */
const toRecord = convertedOnce(toRecordFresh);

function toVersion(row: VersionRowRaw): VersionRecord {
  return {
    ...row,
    number: Number(row.number),
    key_names: JSON.parse(row.key_names) as string[],
    metadata: JSON.parse(row.metadata) as SecretMetadata,
  };
}

function versionRow(version: NewVersion): Insertable<SecretVersionsTable> {
  return { ...version, key_names: JSON.stringify(version.key_names), metadata: JSON.stringify(version.metadata) };
}

function changesRow(changes: SecretChanges) {
  const { tags, expires_at_manual, ...rest } = changes;
  return {
    ...rest,
    ...(tags !== undefined ? { tags: JSON.stringify(tags) } : {}),
    ...(expires_at_manual !== undefined ? { expires_at_manual: expires_at_manual ? 1 : 0 } : {}),
  };
}

/** A version by its key: the secret it belongs to and its number (how every version is found). */
export interface VersionKey {
  secretId: string;
  number: number;
}

/** Versions per statement when marking them (SQLite caps how deep one expression may nest). */
const MARK_CHUNK = 100;

/**
 * Marks versions a full decrypt failed on (`at`), or clears the mark (null). Shared by every path
 * that decrypts: the run path, rotation and `secrets verify`.
 */
export async function setVersionsCorrupted(trx: Db, versions: readonly VersionKey[], at: string | null): Promise<void> {
  for (let i = 0; i < versions.length; i += MARK_CHUNK) {
    const chunk = versions.slice(i, i + MARK_CHUNK);
    await trx
      .updateTable("secret_versions")
      .set({ corrupted_at: at })
      .where((eb) => eb.or(chunk.map((v) => eb.and([eb("secret_id", "=", v.secretId), eb("number", "=", v.number)]))))
      .execute();
  }
}

export function createSecretsStore(db: Db, dialect: DialectName) {
  const rows = createCompiledQueries();

  /** One page of a workspace's secrets by (name, environment, id), filtered; columns chosen by the caller. */
  function listed(trx: Db, workspaceId: string, filter: ListFilter): JoinedCurrent {
    let q = joinedCurrent(trx).where("s.workspace_id", "=", workspaceId);
    if (filter.environment !== undefined) q = q.where("s.environment", "=", filter.environment);
    if (filter.type !== undefined) q = q.where("s.type", "=", filter.type);
    if (filter.prefix) {
      if (dialect === "sqlite") {
        // SQLite's LIKE is case-insensitive and cannot use the name index; names compare as
        // bytes there, so every name with the prefix sorts in [prefix, prefix + U+FFFF).
        q = q.where("s.name", ">=", filter.prefix).where("s.name", "<", `${filter.prefix}\uffff`);
      } else {
        // PostgreSQL compares by the database's collation, where such a range is not safe.
        const pattern = `${filter.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where(sql<boolean>`${sql.ref("s.name")} like ${pattern} escape '\\'`);
      }
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
    return q.orderBy("s.name").orderBy("s.environment").orderBy("s.id").limit(filter.limit);
  }

  return {
    async findById(workspaceId: string, id: string, trx: Db = db): Promise<SecretRecord | undefined> {
      const [row] = await rows(
        trx,
        "findById",
        [workspaceId, id],
        () => withCurrentVersion(trx).where("s.workspace_id", "=", workspaceId).where("s.id", "=", id),
        "reuse",
      );
      return row && toRecord(row);
    },

    async findByName(workspaceId: string, name: string, environment: string, trx: Db = db) {
      const [row] = await rows(
        trx,
        "findByName",
        [workspaceId, name, environment],
        () =>
          withCurrentVersion(trx)
            .where("s.workspace_id", "=", workspaceId)
            .where("s.name", "=", name)
            .where("s.environment", "=", environment),
        "reuse",
      );
      return row && toRecord(row);
    },

    async list(workspaceId: string, filter: ListFilter, trx: Db = db): Promise<SecretRecord[]> {
      const found = await itemColumns(listed(trx, workspaceId, filter)).execute();
      return found.map(toRecordFresh);
    },

    /** The same page as `list`, with only what a list line shows: a narrower, cheaper read. */
    async listSummaries(workspaceId: string, filter: ListFilter, trx: Db = db): Promise<SecretSummaryRecord[]> {
      const found = await listed(trx, workspaceId, filter)
        .select([
          "s.id",
          "s.name",
          "s.type",
          "s.environment",
          "s.expires_at",
          "s.current_version",
          "v.kid",
          "v.key_names",
          "v.corrupted_at",
        ])
        .execute();
      return found.map((row) => ({
        ...row,
        current_version: Number(row.current_version),
        key_names: JSON.parse(row.key_names) as string[],
      }));
    },

    /** The sealed value of one version: read only where it is about to be opened. */
    async sealedVersion(
      version: VersionKey,
      trx: Db = db,
    ): Promise<(SealedVersion & { workspace_id: string }) | undefined> {
      return trx
        .selectFrom("secret_versions")
        .select(["workspace_id", "ciphertext", "wrapped_key", "kid"])
        .where("secret_id", "=", version.secretId)
        .where("number", "=", version.number)
        .executeTakeFirst();
    },

    async listVersions(secretId: string, trx: Db = db): Promise<VersionRecord[]> {
      const found = await trx
        .selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", secretId)
        .orderBy("number", "desc")
        .execute();
      return found.map(toVersion);
    },

    async findVersion(secretId: string, number: number, trx: Db = db): Promise<VersionRecord | undefined> {
      const row = await trx
        .selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", secretId)
        .where("number", "=", number)
        .executeTakeFirst();
      return row && toVersion(row);
    },

    /** Every version of the store in key order, a page at a time after `after` (for `secrets verify`). */
    async versionsAfter(after: VersionKey | null, limit: number, trx: Db = db) {
      return trx
        .selectFrom("secret_versions as v")
        .innerJoin("secrets as s", "s.id", "v.secret_id")
        .select([
          "v.id",
          "v.secret_id",
          "v.workspace_id",
          "v.number",
          "v.ciphertext",
          "v.wrapped_key",
          "v.kid",
          "v.corrupted_at",
          "s.name",
          "s.environment",
          "s.current_version_id",
        ])
        .$if(after !== null, (q) =>
          q.where((eb) => eb(eb.refTuple("v.secret_id", "v.number"), ">", eb.tuple(after!.secretId, after!.number))),
        )
        .orderBy("v.secret_id")
        .orderBy("v.number")
        .limit(limit)
        .execute();
    },

    async insertSecret(trx: Db, secret: NewSecret, version: NewVersion) {
      // Every create runs these two: compiled once, then only their parameters change.
      const row = {
        id: secret.id,
        workspace_id: secret.workspace_id,
        name: secret.name,
        type: secret.type,
        environment: secret.environment,
        description: secret.description,
        tags: JSON.stringify(secret.tags),
        expires_at: secret.expires_at,
        expires_at_manual: secret.expires_at_manual ? 1 : 0,
        current_version_id: version.id,
        current_version: version.number,
        created_at: secret.created_at,
        updated_at: secret.updated_at,
        updated_by: secret.updated_by,
      };
      await rows(trx, "insertSecret", Object.values(row), () => trx.insertInto("secrets").values(row));
      // Every column named, in one order, whatever order the caller built `version` in.
      const v = {
        id: version.id,
        secret_id: version.secret_id,
        workspace_id: version.workspace_id,
        number: version.number,
        ciphertext: version.ciphertext,
        wrapped_key: version.wrapped_key,
        kid: version.kid,
        key_names: JSON.stringify(version.key_names),
        metadata: JSON.stringify(version.metadata),
        created_by: version.created_by,
        created_at: version.created_at,
      };
      await rows(trx, "insertVersion", Object.values(v), () => trx.insertInto("secret_versions").values(v));
    },

    /** Adds a version if the secret still has `expectedVersionId` as current; false if it moved on. */
    async addVersion(
      trx: Db,
      secretId: string,
      expectedVersionId: string,
      version: NewVersion,
      changes: SecretChanges,
      keep: number,
    ): Promise<boolean> {
      const result = await trx
        .updateTable("secrets")
        .set({ ...changesRow(changes), current_version_id: version.id, current_version: version.number })
        .where("id", "=", secretId)
        .where("current_version_id", "=", expectedVersionId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.insertInto("secret_versions").values(versionRow(version)).execute();
      await trx
        .deleteFrom("secret_versions")
        .where("secret_id", "=", secretId)
        .where("number", "<=", version.number - keep)
        .execute();
      return true;
    },

    async updateMetadata(trx: Db, secretId: string, changes: SecretChanges) {
      await trx.updateTable("secrets").set(changesRow(changes)).where("id", "=", secretId).execute();
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

    /** Marks (or clears) versions found undecryptable by a full decrypt. */
    markCorrupted: (versions: readonly VersionKey[], at: string | null, trx: Db = db) =>
      setVersionsCorrupted(trx, versions, at),

    async environments(workspaceId: string, trx: Db = db) {
      const found = await trx
        .selectFrom("secrets")
        .select(["environment", (eb) => eb.fn.countAll<number>().as("n")])
        .where("workspace_id", "=", workspaceId)
        .groupBy("environment")
        .orderBy("environment")
        .execute();
      return found.map((r) => ({ environment: r.environment, secrets: Number(r.n) }));
    },
  };
}

export type SecretsStore = ReturnType<typeof createSecretsStore>;
