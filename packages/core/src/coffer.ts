import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import type { DestinationStream } from "pino";
import { type AuditService, createAuditService } from "./audit/audit.service.js";
import type { CofferConfig } from "./config/config.js";
import { type Keyring, keyringFromEnvironment, keyringFromFile, missingKeyring } from "./crypto/keyring.js";
import { type Database, openDatabase } from "./db/database.js";
import { CofferError } from "./errors/coffer-error.js";
import { registerInternals } from "./internals.js";
import { createKeysStore, kidsInUse } from "./keys/keys.store.js";
import { createRotationService, type RotationService } from "./keys/rotation.service.js";
import { createMaskedLogger, type Logger, type LogMasks } from "./logging/logger.js";
import { createResolutionService, type ResolutionService } from "./resolution/resolution.service.js";
import { createResolutionStore } from "./resolution/resolution.store.js";
import { createRunsService, type RunsService } from "./runs/runs.service.js";
import { createRunsStore } from "./runs/runs.store.js";
import type { Actor } from "./secrets/secrets.schema.js";
import { createSecretsService, type SecretsService } from "./secrets/secrets.service.js";
import { createSecretsStore } from "./secrets/secrets.store.js";
import { createTokensService, type TokensService } from "./tokens/tokens.service.js";
import { createTokensStore } from "./tokens/tokens.store.js";
import { createVariablesService, type VariablesService } from "./variables/variables.service.js";
import { createVariablesStore } from "./variables/variables.store.js";
import { createWorkflowsService, type WorkflowsService } from "./workflows/workflows.service.js";
import { createWorkflowsStore } from "./workflows/workflows.store.js";
import { createWorkspacesService, type WorkspacesService } from "./workspaces/workspaces.service.js";
import { createWorkspacesStore } from "./workspaces/workspaces.store.js";

/** Every service of one process, wired to one database and one keyring. */
export interface Coffer {
  readonly config: CofferConfig;
  /** The process's logger; pass children of it down (`logger.child({ run_id })`). */
  readonly logger: Logger;
  /** Each running action adds its masker here, so no line of `logger` can carry its values. */
  readonly logMasks: LogMasks;
  readonly audit: AuditService;
  readonly secrets: SecretsService;
  /** The run path: values for one action run, decrypted, use audited. */
  readonly resolution: ResolutionService;
  readonly variables: VariablesService;
  readonly workspaces: WorkspacesService;
  readonly tokens: TokensService;
  readonly keys: RotationService;
  /** Deployed workflows: versioned documents per workspace, by id or alias. */
  readonly workflows: WorkflowsService;
  /** Stored runs and their action runs (written masked by the run manager). */
  readonly runs: RunsService;
  /**
   * Creates organization and workspace `default` and an admin token on an empty database. The
   * token goes to `$COFFER_HOME/admin.token` (0600); the returned path is safe to print.
   */
  bootstrap(actor: Actor): Promise<{ tokenFile: string } | null>;
  /** Whether the database answers; never throws. */
  health(): Promise<{ database: "ok" | "unreachable" }>;
  close(): Promise<void>;
}

export interface OpenCofferOptions {
  /** Told when embedded mode creates a new key file, so the caller can warn. */
  onKeyFileCreated?: (path: string) => void;
  clock?: () => Date;
  /** Where log lines go (default stderr); the logger is made here, once per process. */
  logStream?: DestinationStream;
}

export async function loadKeyring(
  config: CofferConfig,
  database: Database,
  onCreate: (path: string) => void,
): Promise<Keyring> {
  if (config.store.encryptionKeys) return keyringFromEnvironment(config.store.encryptionKeys);
  if (database.dialect !== "sqlite") {
    throw new CofferError(
      "encryption_keys_required",
      "COFFER_ENCRYPTION_KEYS is required with PostgreSQL: give every process the same keyring, e.g. k1:$(openssl rand -base64 32).",
    );
  }
  const path = join(config.home, "master.key");
  if (!existsSync(path)) {
    // A new key is right for a new store only: for one that holds data it would hide the loss.
    const needed = await kidsInUse(database);
    if (needed.length > 0) return missingKeyring(path, needed);
  }
  return keyringFromFile(path, onCreate, database.changedByOthers);
}

export async function openCoffer(config: CofferConfig, options: OpenCofferOptions = {}): Promise<Coffer> {
  const clock = options.clock ?? (() => new Date());
  // Made on first use: a CLI command that logs nothing never loads pino.
  const logging = createMaskedLogger({
    level: config.log.level,
    ...(options.logStream ? { stream: options.logStream } : {}),
  });
  // The home holds the key file, the admin token and the SQLite database: owner-only.
  mkdirSync(config.home, { recursive: true, mode: 0o700 });
  const database = await openDatabase(config.store.databaseUrl);
  let keyring: Keyring;
  try {
    keyring = await loadKeyring(config, database, options.onKeyFileCreated ?? (() => {}));
  } catch (error) {
    await database.close();
    throw error;
  }
  const audit = createAuditService({ database, keyring, clock });
  const workspaces = createWorkspacesService({
    store: createWorkspacesStore(database.db),
    writer: database,
    audit,
    clock,
  });
  const tokens = createTokensService({ store: createTokensStore(database.db), writer: database, audit, clock });
  const coffer: Coffer = {
    config,
    get logger() {
      return logging.logger;
    },
    logMasks: logging.masks,
    audit,
    workspaces,
    tokens,
    resolution: createResolutionService({
      store: createResolutionStore(database.db),
      keyring,
      audit,
      clock,
    }),
    secrets: createSecretsService({
      store: createSecretsStore(database.db, database.dialect),
      writer: database,
      keyring,
      audit,
      clock,
      options: { maxValueBytes: config.store.maxValueBytes, versionsKept: config.store.versionsKept },
    }),
    variables: createVariablesService({ store: createVariablesStore(database.db), writer: database, audit, clock }),
    workflows: createWorkflowsService({ store: createWorkflowsStore(database.db), writer: database, audit, clock }),
    runs: createRunsService({ store: createRunsStore(database.db), writer: database, audit, clock }),
    keys: createRotationService({
      store: createKeysStore(database.db),
      writer: database,
      keyring,
      audit,
      batchSize: config.store.rotationBatchSize,
    }),
    async bootstrap(actor) {
      const workspace = await workspaces.bootstrap(actor);
      if (!workspace) return null;
      const { token } = await tokens.create(workspace.id, { role: "admin", name: "bootstrap admin" }, actor);
      const tokenFile = join(config.home, "admin.token");
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
      return { tokenFile };
    },
    async health() {
      try {
        await sql`select 1`.execute(database.db);
        return { database: "ok" };
      } catch {
        return { database: "unreachable" };
      }
    },
    close: () => database.close(),
  };
  registerInternals(coffer, { database, keyring });
  return coffer;
}
