import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import { parseConnectionUrl } from "./connection-url.js";
import { assertNotOwnDatabase, type OwnDatabase, ownDatabaseFromUrl } from "./own-database.js";

const refused = async (url: string, own: OwnDatabase | undefined): Promise<boolean> => {
  try {
    await assertNotOwnDatabase(parseConnectionUrl(url), own);
    return false;
  } catch (error) {
    assert.ok(isCofferError(error) && error.code === "sql_internal_database");
    return true;
  }
};

describe("the own-database guard", () => {
  test("COFFER_DATABASE_URL is read into host and port, or a file; credentials are not kept", () => {
    assert.deepEqual(ownDatabaseFromUrl("postgres://coffer:secret@internal-db:6432/coffer?schema=c"), {
      dialect: "postgres",
      host: "internal-db",
      port: 6432,
    });
    assert.deepEqual(ownDatabaseFromUrl("postgresql://coffer@[::1]/coffer"), {
      dialect: "postgres",
      host: "::1",
      port: 5432,
    });
    assert.deepEqual(ownDatabaseFromUrl("/srv/coffer/coffer.db"), { dialect: "sqlite", file: "/srv/coffer/coffer.db" });
    assert.deepEqual(ownDatabaseFromUrl("sqlite:/srv/coffer/coffer.db"), {
      dialect: "sqlite",
      file: "/srv/coffer/coffer.db",
    });
  });

  test("Tracecat's cases (T-SQL-01/02/03): same host and port refused, another host or port allowed", async () => {
    const own = ownDatabaseFromUrl("postgres://tracecat:secret@internal-db:5432/tracecat");
    assert.equal(await refused("postgresql+psycopg://user:pass@internal-db:5432/external_db", own), true);
    assert.equal(await refused("postgresql+psycopg://user:pass@INTERNAL-DB/external_db", own), true);
    assert.equal(await refused("postgresql+psycopg://user:pass@external-db:5432/external_db", own), false);
    assert.equal(await refused("postgresql+psycopg://user:pass@internal-db:5433/external_db", own), false);
    const other = ownDatabaseFromUrl("postgres://tracecat:secret@postgres_db:6432/tracecat");
    assert.equal(await refused("postgresql+psycopg://u:p@postgres_db:6432/external_db", other), true);
  });

  test("loopback aliases are one host; a SQLite-backed Coffer guards no network port", async () => {
    const own = ownDatabaseFromUrl("postgres://postgres@localhost:5432/coffer");
    for (const host of [
      "127.0.0.1",
      "127.1.2.3",
      "[::1]",
      "[0:0:0:0:0:0:0:1]",
      "[::ffff:127.0.0.1]",
      "localhost.",
      "0.0.0.0",
      "db.localhost",
    ]) {
      assert.equal(await refused(`postgresql://u:p@${host}:5432/x`, own), true, host);
    }
    assert.equal(await refused("postgresql://u:p@192.0.2.1:5432/x", own), false);
    assert.equal(await refused("postgresql://u:p@127.0.0.1:5432/x", ownDatabaseFromUrl("/tmp/coffer.db")), false);
    assert.equal(await refused("postgresql://u:p@127.0.0.1:5432/x", undefined), false);
  });
});
