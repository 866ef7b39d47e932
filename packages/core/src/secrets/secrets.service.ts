import { randomUUID } from "node:crypto";
import { type AuditService, targetEvent } from "../audit/audit.service.js";
import { openValues, sealValues, versionAad } from "../crypto/envelope.js";
import type { Keyring } from "../crypto/keyring.js";
import { type Database, isUniqueViolation } from "../db/database.js";
import { CofferError } from "../errors/coffer-error.js";
import {
  type KeyValue,
  parseSecretType,
  type SecretMetadata,
  type SecretType,
  validateEnvironmentName,
  validateSecretName,
  validateSecretValues,
} from "../secret-types/index.js";
import type {
  Actor,
  SecretCreateInput,
  SecretItem,
  SecretListFilter,
  SecretPage,
  SecretUpdateInput,
  SecretVersionItem,
} from "./secrets.schema.js";
import { createSecretsStore, type SecretWithVersion, type VersionRow } from "./secrets.store.js";

export const DEFAULT_ENVIRONMENT = "default";

export interface SecretsServiceOptions {
  /** Largest value accepted, in bytes (UTF-8). */
  maxValueBytes: number;
  /** Versions kept per secret; older ones are deleted. */
  versionsKept: number;
}

/** The decrypted values of one secret, for the run path only. */
export interface ResolvedSecret {
  id: string;
  name: string;
  type: SecretType;
  environment: string;
  /** null when the current version cannot be decrypted. */
  values: Record<string, string> | null;
  keys: string[];
}

const MAX_TAGS = 50;
const MAX_DESCRIPTION = 1000;
const MAX_LIST_LIMIT = 1000;
const CONCURRENT_RETRIES = 3;

export function createSecretsService(deps: {
  database: Database;
  keyring: Keyring;
  audit: AuditService;
  clock: () => Date;
  options: SecretsServiceOptions;
}) {
  const { database, keyring, audit, clock, options } = deps;
  const store = createSecretsStore(database.db);

  function open(
    row: { workspace_id: string } & Pick<VersionRow, "ciphertext" | "wrapped_key" | "kid">,
    secretId: string,
    versionId: string,
  ) {
    return openValues(keyring, versionAad(row.workspace_id, secretId, versionId), {
      ciphertext: row.ciphertext,
      wrappedKey: row.wrapped_key,
      kid: row.kid,
    });
  }

  function openCurrent(row: SecretWithVersion) {
    return open(row, row.id, row.current_version_id);
  }

  function toItem(row: SecretWithVersion, status: "ok" | "corrupted"): SecretItem {
    return {
      id: row.id,
      name: row.name,
      type: row.type as SecretType,
      environment: row.environment,
      description: row.description,
      tags: JSON.parse(row.tags) as Record<string, string>,
      keys: JSON.parse(row.key_names) as string[],
      version: row.current_version,
      version_count: row.version_count,
      status,
      expires_at: row.expires_at,
      metadata: JSON.parse(row.metadata) as SecretMetadata,
      created_at: row.created_at,
      updated_at: row.updated_at,
      updated_by: row.updated_by,
    };
  }

  /** Status needs a decryption: a version is only "ok" if it really opens. Values are dropped at once. */
  function itemWithStatus(row: SecretWithVersion): SecretItem {
    return toItem(row, openCurrent(row).ok ? "ok" : "corrupted");
  }

  async function mustFind(workspaceId: string, id: string): Promise<SecretWithVersion> {
    const row = await store.findById(workspaceId, id);
    if (!row) throw notFound(id);
    return row;
  }

  function seal(workspaceId: string, secretId: string, versionId: string, keys: KeyValue[]) {
    const values: Record<string, string> = {};
    for (const { key, value } of keys) values[key] = value;
    return sealValues(keyring, versionAad(workspaceId, secretId, versionId), values);
  }

  function makeVersion(
    workspaceId: string,
    secretId: string,
    number: number,
    validated: { keys: KeyValue[]; metadata: SecretMetadata },
    actor: Actor,
    now: string,
  ): VersionRow {
    // The version id exists before the write transaction so no crypto runs inside it.
    const id = randomUUID();
    const sealed = seal(workspaceId, secretId, id, validated.keys);
    return {
      id,
      secret_id: secretId,
      workspace_id: workspaceId,
      number,
      ciphertext: sealed.ciphertext,
      wrapped_key: sealed.wrappedKey,
      kid: sealed.kid,
      key_names: JSON.stringify(validated.keys.map((k) => k.key)),
      metadata: JSON.stringify(validated.metadata),
      created_by: actor.actor,
      created_at: now,
    };
  }

  function expiry(
    manual: string | null | undefined,
    derived: Date | null,
  ): { expires_at: string | null; expires_at_manual: number } {
    if (manual) return { expires_at: manual, expires_at_manual: 1 };
    return { expires_at: derived ? derived.toISOString() : null, expires_at_manual: 0 };
  }

  async function create(workspaceId: string, input: SecretCreateInput, actor: Actor): Promise<SecretItem> {
    const name = validateSecretName(input.name);
    const environment = validateEnvironmentName(input.environment ?? DEFAULT_ENVIRONMENT);
    const type = parseSecretType(input.type ?? "custom");
    const description = checkDescription(input.description ?? null);
    const tags = checkTags(input.tags ?? {});
    const expiresAt = checkExpiresAt(input.expiresAt);
    const validated = validateSecretValues(type, input.keys, { maxValueBytes: options.maxValueBytes });
    const now = clock().toISOString();
    const secretId = randomUUID();
    const version = makeVersion(workspaceId, secretId, 1, validated, actor, now);
    try {
      await database.writeTransaction(async (trx) => {
        await store.insertSecret(
          trx,
          {
            id: secretId,
            workspace_id: workspaceId,
            name,
            type,
            environment,
            description,
            tags: JSON.stringify(tags),
            ...expiry(expiresAt, validated.expiresAt),
            current_version_id: version.id,
            current_version: 1,
            created_at: now,
            updated_at: now,
            updated_by: actor.actor,
          },
          version,
        );
        await audit.append(trx, [
          event(
            actor,
            workspaceId,
            "secret.create",
            { id: secretId, name, environment },
            { type, keys: keyNames(validated.keys), version: 1 },
          ),
        ]);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new CofferError(
          "secret_exists",
          `A secret named '${name}' already exists in environment '${environment}'. Update it instead, or pick another name or environment.`,
          { status: 409, details: { name, environment } },
        );
      }
      throw error;
    }
    return mustFindItem(workspaceId, secretId);
  }

  async function mustFindItem(workspaceId: string, id: string) {
    return itemWithStatus(await mustFind(workspaceId, id));
  }

  async function update(workspaceId: string, id: string, input: SecretUpdateInput, actor: Actor): Promise<SecretItem> {
    for (let attempt = 1; ; attempt++) {
      const row = await mustFind(workspaceId, id);
      if (input.type !== undefined && input.type !== row.type) {
        throw new CofferError(
          "secret_type_immutable",
          `Secret '${row.name}' is of type '${row.type}'; a type cannot change. Delete the secret and create it again with type '${input.type}'.`,
          { status: 422, details: { name: row.name, type: row.type, requested: input.type } },
        );
      }
      const now = clock().toISOString();
      const changes = {
        updated_at: now,
        updated_by: actor.actor,
        ...(input.description !== undefined ? { description: checkDescription(input.description) } : {}),
        ...(input.tags !== undefined ? { tags: JSON.stringify(checkTags(input.tags)) } : {}),
      };
      const manualExpiry = input.expiresAt !== undefined ? checkExpiresAt(input.expiresAt) : undefined;

      if (input.keys === undefined) {
        const metadata = JSON.parse(row.metadata) as SecretMetadata;
        const expiryChange = input.expiresAt === undefined ? {} : expiry(manualExpiry, earliestNotAfter(metadata));
        await database.writeTransaction(async (trx) => {
          await store.updateMetadata(trx, id, { ...changes, ...expiryChange });
          await audit.append(trx, [
            event(actor, workspaceId, "secret.update", row, { fields: Object.keys(input).filter((k) => k !== "keys") }),
          ]);
        });
        return mustFindItem(workspaceId, id);
      }

      const keys = mergeKeys(row, input.keys);
      const validated = validateSecretValues(row.type as SecretType, keys, { maxValueBytes: options.maxValueBytes });
      const number = (await store.maxVersionNumber(id)) + 1;
      const version = makeVersion(workspaceId, id, number, validated, actor, now);
      const manual = manualExpiry !== undefined ? manualExpiry : row.expires_at_manual ? row.expires_at : null;
      const moved = await database.writeTransaction(async (trx) => {
        const ok = await store.addVersion(
          trx,
          id,
          row.current_version_id,
          version,
          { ...changes, ...expiry(manual, validated.expiresAt) },
          options.versionsKept,
        );
        if (!ok) return false;
        await audit.append(trx, [
          event(actor, workspaceId, "secret.update", row, { keys: keyNames(validated.keys), version: number }),
        ]);
        return true;
      });
      if (moved) return mustFindItem(workspaceId, id);
      if (attempt >= CONCURRENT_RETRIES) throw concurrentUpdate(row.name);
    }
  }

  /** Applies the key-set semantics: listed keys stay (null keeps the stored value), others go. */
  function mergeKeys(row: SecretWithVersion, requested: { key: string; value: string | null }[]): KeyValue[] {
    const needsStored = requested.some((k) => k.value === null);
    let stored: Record<string, string> | undefined;
    if (needsStored) {
      const opened = openCurrent(row);
      if (!opened.ok) {
        throw new CofferError(
          "secret_corrupted",
          `Secret '${row.name}' cannot be decrypted, so blank values cannot keep what was stored. Re-enter the value of every key to repair it.`,
          { status: 409, details: { name: row.name, keys: JSON.parse(row.key_names) } },
        );
      }
      stored = opened.values;
    }
    const structured = row.type !== "custom";
    return requested.map(({ key, value }) => {
      if (value !== null) return { key, value };
      const kept = stored?.[key];
      if (kept !== undefined) return { key, value: kept };
      if (structured) {
        throw new CofferError(
          "missing_value",
          `Key '${key}' is new to secret '${row.name}', so it needs a value (a blank value only keeps an existing key's value).`,
          { status: 422, details: { name: row.name, key } },
        );
      }
      return { key, value: "" };
    });
  }

  async function restore(workspaceId: string, id: string, number: number, actor: Actor): Promise<SecretItem> {
    for (let attempt = 1; ; attempt++) {
      const row = await mustFind(workspaceId, id);
      const old = await store.findVersion(id, number);
      if (!old) {
        throw new CofferError(
          "version_not_found",
          `Secret '${row.name}' has no version ${number}. List its versions with \`coffer secrets versions ${row.name}\`.`,
          { status: 404, details: { name: row.name, version: number } },
        );
      }
      const opened = open(old, id, old.id);
      if (!opened.ok) {
        throw new CofferError(
          "version_corrupted",
          `Version ${number} of secret '${row.name}' cannot be decrypted, so it cannot be restored.`,
          {
            status: 409,
            details: { name: row.name, version: number },
          },
        );
      }
      const names = JSON.parse(old.key_names) as string[];
      const validated = validateSecretValues(
        row.type as SecretType,
        names.map((key) => ({ key, value: opened.values[key] ?? "" })),
        { maxValueBytes: Number.MAX_SAFE_INTEGER },
      );
      const now = clock().toISOString();
      const next = (await store.maxVersionNumber(id)) + 1;
      const version = makeVersion(workspaceId, id, next, validated, actor, now);
      const manual = row.expires_at_manual ? row.expires_at : null;
      const moved = await database.writeTransaction(async (trx) => {
        const ok = await store.addVersion(
          trx,
          id,
          row.current_version_id,
          version,
          { updated_at: now, updated_by: actor.actor, ...expiry(manual, validated.expiresAt) },
          options.versionsKept,
        );
        if (!ok) return false;
        await audit.append(trx, [
          event(actor, workspaceId, "secret.restore", row, { restored: number, version: next }),
        ]);
        return true;
      });
      if (moved) return mustFindItem(workspaceId, id);
      if (attempt >= CONCURRENT_RETRIES) throw concurrentUpdate(row.name);
    }
  }

  return {
    create,
    update,
    restore,

    async get(workspaceId: string, id: string): Promise<SecretItem> {
      return mustFindItem(workspaceId, id);
    },

    async getByName(workspaceId: string, name: string, environment = DEFAULT_ENVIRONMENT): Promise<SecretItem> {
      const row = await store.findByName(workspaceId, name, environment);
      if (!row) throw notFoundByName(name, environment);
      return itemWithStatus(row);
    },

    async list(workspaceId: string, filter: SecretListFilter = {}): Promise<SecretPage> {
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIST_LIMIT);
      const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
      const type = filter.type === undefined ? undefined : parseSecretType(filter.type);
      const rows = await store.list(workspaceId, {
        limit: limit + 1,
        ...(filter.environment !== undefined ? { environment: filter.environment } : {}),
        ...(type !== undefined ? { type } : {}),
        ...(filter.prefix ? { prefix: filter.prefix } : {}),
        ...(after ? { after } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(itemWithStatus),
        next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },

    async delete(workspaceId: string, id: string, actor: Actor): Promise<void> {
      const row = await mustFind(workspaceId, id);
      await database.writeTransaction(async (trx) => {
        await store.deleteSecret(trx, id);
        await audit.append(trx, [event(actor, workspaceId, "secret.delete", row, { keys: JSON.parse(row.key_names) })]);
      });
    },

    async listVersions(workspaceId: string, id: string): Promise<SecretVersionItem[]> {
      const row = await mustFind(workspaceId, id);
      const versions = await store.listVersions(id);
      return versions.map((v) => ({
        number: Number(v.number),
        keys: JSON.parse(v.key_names) as string[],
        created_by: v.created_by,
        created_at: v.created_at,
        current: v.id === row.current_version_id,
      }));
    },

    /** Environments in use with their secret counts. */
    async environments(workspaceId: string): Promise<{ environment: string; secrets: number }[]> {
      const rows = await database.db
        .selectFrom("secrets")
        .select(["environment", (eb) => eb.fn.countAll<number>().as("n")])
        .where("workspace_id", "=", workspaceId)
        .groupBy("environment")
        .orderBy("environment")
        .execute();
      return rows.map((r) => ({ environment: r.environment, secrets: Number(r.n) }));
    },

    /**
     * The run path: every named secret of one environment, decrypted, in one store query.
     * Names not found are simply absent; the caller reports them.
     */
    async resolve(
      workspaceId: string,
      environment: string,
      names: readonly string[],
    ): Promise<Map<string, ResolvedSecret>> {
      const rows = await store.findValuesByName(workspaceId, names, environment);
      const resolved = new Map<string, ResolvedSecret>();
      for (const row of rows) {
        const opened = open(row, row.id, row.current_version_id);
        resolved.set(row.name, {
          id: row.id,
          name: row.name,
          type: row.type as SecretType,
          environment: row.environment,
          values: opened.ok ? opened.values : null,
          keys: JSON.parse(row.key_names) as string[],
        });
      }
      return resolved;
    },
  };
}

export type SecretsService = ReturnType<typeof createSecretsService>;

function event(
  actor: Actor,
  workspaceId: string,
  action: string,
  target: { id: string; name: string; environment: string },
  details: Record<string, unknown>,
) {
  return targetEvent(actor, workspaceId, action, { type: "secret", ...target }, details);
}

function keyNames(keys: KeyValue[]): string[] {
  return keys.map((k) => k.key);
}

function notFound(id: string): CofferError {
  return new CofferError("secret_not_found", `No secret with id '${id}' in this workspace.`, {
    status: 404,
    details: { id },
  });
}

function notFoundByName(name: string, environment: string): CofferError {
  return new CofferError(
    "secret_not_found",
    `No secret named '${name}' in environment '${environment}'. Secrets are looked up per environment: check the name and --env.`,
    { status: 404, details: { name, environment } },
  );
}

function concurrentUpdate(name: string): CofferError {
  return new CofferError("concurrent_update", `Secret '${name}' kept changing while this update ran. Try again.`, {
    status: 409,
    details: { name },
  });
}

function checkDescription(description: string | null): string | null {
  if (description !== null && description.length > MAX_DESCRIPTION) {
    throw new CofferError(
      "invalid_description",
      `A description holds at most ${MAX_DESCRIPTION} characters (got ${description.length}).`,
      { status: 422 },
    );
  }
  return description;
}

function checkTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw new CofferError("invalid_tags", `A secret holds at most ${MAX_TAGS} tags (got ${entries.length}).`, {
      status: 422,
    });
  }
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 64 || typeof value !== "string" || value.length > 256) {
      throw new CofferError(
        "invalid_tags",
        `Tag '${key.slice(0, 64)}' is invalid: tag names are 1–64 characters and tag values are strings of at most 256 characters.`,
        { status: 422 },
      );
    }
  }
  return tags;
}

function checkExpiresAt(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new CofferError(
      "invalid_expires_at",
      `expires_at must be an ISO-8601 date or date-time, e.g. 2027-01-31 or 2027-01-31T12:00:00Z (got '${value.slice(0, 40)}').`,
      { status: 422 },
    );
  }
  return new Date(time).toISOString();
}

function earliestNotAfter(metadata: SecretMetadata): Date | null {
  const certificates = (metadata as { certificates?: { notAfter?: string }[] }).certificates ?? [];
  let earliest: number | null = null;
  for (const c of certificates) {
    const t = c.notAfter ? Date.parse(c.notAfter) : Number.NaN;
    if (!Number.isNaN(t) && (earliest === null || t < earliest)) earliest = t;
  }
  return earliest === null ? null : new Date(earliest);
}

function encodeCursor(row: { name: string; environment: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.name, row.environment, row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { name: string; environment: string; id: string } {
  try {
    const [name, environment, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as string[];
    if (typeof name === "string" && typeof environment === "string" && typeof id === "string")
      return { name, environment, id };
  } catch {
    // fall through
  }
  throw new CofferError("invalid_cursor", "The cursor is not one this API returned. Start again without a cursor.", {
    status: 400,
  });
}
