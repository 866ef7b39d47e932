// Test support shared by every package's tests: real databases, fresh per test, never mocks.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Coffer, type OpenCofferOptions, openCoffer } from "../coffer.js";
import { type CofferConfig, loadConfig } from "../config/config.js";
import { openValues, sealValues, versionAad } from "../crypto/envelope.js";
import { immediateReader, registerImmediateReader } from "../db/immediate-reads.js";
import { internalsOf } from "../internals.js";
import { createResolutionStore } from "../resolution/resolution.store.js";

/** The database and keyring under a Coffer, for tests that tamper with rows or inspect keys. */
export { internalsOf };

export type TestDialect = "sqlite" | "postgres";

export const POSTGRES_TEST_URL = process.env.COFFER_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REQUIRE_SERVICES = process.env.COFFER_TEST_REQUIRE_SERVICES === "1";

let postgresReachable: Promise<boolean> | undefined;

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function serviceAddress(url: string): string {
  return new URL(url).host;
}

/**
 * The dialects a suite runs on. PostgreSQL is left out, loudly, when it is unreachable; with
 * COFFER_TEST_REQUIRE_SERVICES=1 that is an error instead.
 */
export async function testDialects(suite: string): Promise<TestDialect[]> {
  postgresReachable ??= probePostgres();
  if (await postgresReachable) return ["sqlite", "postgres"];
  const message = `SKIPPED ${suite}: postgresql not reachable at ${serviceAddress(POSTGRES_TEST_URL)}`;
  if (REQUIRE_SERVICES) throw new Error(`${message} (COFFER_TEST_REQUIRE_SERVICES=1 makes this a failure)`);
  console.log(message);
  return ["sqlite"];
}

/** A throw-away home folder and database of one dialect; `cleanup` removes both. */
export interface TestEnvironment {
  dialect: TestDialect;
  home: string;
  databaseUrl: string;
  /** The COFFER_* variables a child process needs to open the same store. */
  env: Record<string, string>;
  config(overrides?: Record<string, string>): CofferConfig;
  open(overrides?: Record<string, string>, options?: OpenCofferOptions): Promise<Coffer>;
  cleanup(): Promise<void>;
}

export const TEST_ENCRYPTION_KEYS = `test1:${Buffer.alloc(32, 7).toString("base64")}`;

/**
 * Creates a fresh store: a temp SQLite file, or a new PostgreSQL schema, so parallel and
 * repeated runs never collide. SQLite uses the key file unless `useKeyFile: false`.
 */
export async function createTestEnvironment(
  dialect: TestDialect,
  options: { useKeyFile?: boolean } = {},
): Promise<TestEnvironment> {
  const home = mkdtempSync(join(tmpdir(), "coffer-test-"));
  let databaseUrl: string;
  let schema: string | undefined;
  if (dialect === "sqlite") {
    databaseUrl = join(home, "coffer.db");
  } else {
    schema = `t_${process.pid}_${randomBytes(6).toString("hex")}`;
    const url = new URL(POSTGRES_TEST_URL);
    url.searchParams.set("schema", schema);
    databaseUrl = url.toString();
  }
  const useKeyFile = dialect === "sqlite" && options.useKeyFile !== false;
  const env: Record<string, string> = {
    COFFER_HOME: home,
    COFFER_DATABASE_URL: databaseUrl,
    COFFER_LOG_LEVEL: "warn",
    ...(useKeyFile ? {} : { COFFER_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS }),
  };
  const config = (overrides: Record<string, string> = {}) => loadConfig({ ...env, ...overrides });
  return {
    dialect,
    home,
    databaseUrl,
    env,
    config,
    open: (overrides = {}, openOptions = {}) => openCoffer(config(overrides), openOptions),
    async cleanup() {
      if (schema) {
        const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
        await client.connect();
        try {
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Opens a fresh store with the default workspace bootstrapped; returns it with its workspace id. */
export { canary, ed25519PrivateKeyPem, selfSignedCertificate } from "./fixtures.js";
export { type Canaries, describeLeaks, findLeaks, type Leak, type LeakForm, LeakHunter } from "./leak-hunter.js";
export { type StoreHaystack, storeHaystacks } from "./store-scan.js";

export async function openBootstrapped(
  environment: TestEnvironment,
  overrides: Record<string, string> = {},
): Promise<{ coffer: Coffer; workspaceId: string }> {
  const coffer = await environment.open(overrides);
  await coffer.bootstrap({ actor: "test" });
  const workspace = await coffer.workspaces.resolve("default");
  return { coffer, workspaceId: workspace.id };
}

/**
 * The current values of secrets as stored, decrypted without the run path's audit: for tests
 * that check what a write stored (and for read loops racing a rotation).
 */
export async function storedValues(
  coffer: Coffer,
  workspaceId: string,
  environment: string,
  names: readonly string[],
): Promise<Map<string, { id: string; keys: string[]; values: Record<string, string> | null }>> {
  const { database, keyring } = internalsOf(coffer);
  const rows = await createResolutionStore(database.db).findForRun(workspaceId, environment, names, []);
  const out = new Map<string, { id: string; keys: string[]; values: Record<string, string> | null }>();
  for (const [, id, name, , , versionId, ciphertext, wrappedKey, kid, payload] of rows) {
    const opened = openValues(keyring, versionAad(workspaceId, id, versionId ?? ""), {
      ciphertext: ciphertext ?? "",
      wrappedKey: wrappedKey ?? "",
      kid: kid ?? "",
    });
    out.set(name, {
      id,
      keys: JSON.parse(payload) as string[],
      values: opened.ok ? { ...opened.values } : null,
    });
  }
  return out;
}

/**
 * The sealed columns of a version exactly as the store writes them, for benches that bulk-load
 * rows straight into the tables (so rotation and the run path meet real ciphertexts).
 */
export function sealedColumns(
  coffer: Coffer,
  workspaceId: string,
  secretId: string,
  versionId: string,
  values: Record<string, string>,
): { ciphertext: string; wrapped_key: string; kid: string } {
  const sealed = sealValues(internalsOf(coffer).keyring, versionAad(workspaceId, secretId, versionId), values);
  return { ciphertext: sealed.ciphertext, wrapped_key: sealed.wrappedKey, kid: sealed.kid };
}

/** Counts the statements a Coffer sends outside transactions (the run path's reads), until `stop`. */
export function countQueries(coffer: Coffer): { count: () => number; stop: () => void } {
  const db = internalsOf(coffer).database.db;
  const original = db.executeQuery.bind(db);
  let n = 0;
  (db as { executeQuery: typeof db.executeQuery }).executeQuery = ((query, queryId) => {
    n += 1;
    return original(query, queryId);
  }) as typeof db.executeQuery;
  // Compiled reads on the embedded store skip Kysely (db/immediate-reads.ts): counted there.
  const reader = immediateReader(db);
  if (reader) {
    registerImmediateReader(db, (text, parameters, mode) => {
      const found = reader(text, parameters, mode);
      if (found !== undefined) n += 1;
      return found;
    });
  }
  return {
    count: () => n,
    stop: () => {
      (db as { executeQuery: typeof db.executeQuery }).executeQuery = original;
      if (reader) registerImmediateReader(db, reader);
    },
  };
}
