import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Sqlite from "better-sqlite3";
import type { Coffer } from "../coffer.js";
import { internalsOf } from "../internals.js";
import { createTestEnvironment, openBootstrapped, type TestEnvironment } from "../testing/index.js";
import { sqliteStatements } from "./sqlite-statements.js";

const actor = { actor: "test" };
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

// The embedded store's reads of one event-loop turn share a read transaction (sqlite-statements.ts).
describe("reads on the embedded store", () => {
  let env: TestEnvironment;
  let coffer: Coffer;
  let ws: string;

  before(async () => {
    env = await createTestEnvironment("sqlite");
    ({ coffer, workspaceId: ws } = await openBootstrapped(env));
  });
  after(async () => {
    await coffer.close();
    await env.cleanup();
  });

  test("a write in the same turn as earlier reads is seen by the next read", async () => {
    const created = await coffer.secrets.create(ws, { name: "same_turn", keys: [{ key: "K", value: "v1" }] }, actor);
    await nextTurn();
    // No turn boundary from here on: the reads and the update run in one turn of the event loop.
    assert.equal((await coffer.secrets.get(ws, created.id)).version, 1);
    await coffer.secrets.update(ws, created.id, { keys: [{ key: "K", value: "v2" }] }, actor);
    assert.equal((await coffer.secrets.get(ws, created.id)).version, 2);
    assert.equal((await coffer.secrets.getByName(ws, "same_turn")).version_count, 2);
  });

  test("a read while another caller's write transaction is open never sees its uncommitted rows", async () => {
    const created = await coffer.secrets.create(
      ws,
      { name: "dirty_read", description: "committed", keys: [{ key: "K", value: "v" }] },
      actor,
    );
    const { database } = internalsOf(coffer);
    let readDuringWrite: Promise<string | null> | undefined;
    const write = database.writeTransaction(async (trx) => {
      await trx.updateTable("secrets").set({ description: "uncommitted" }).where("id", "=", created.id).execute();
      // The transaction is open (and will roll back): a read issued now must not see its row.
      readDuringWrite = coffer.secrets.get(ws, created.id).then((item) => item.description);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("roll back");
    });
    await assert.rejects(write, /roll back/);
    assert.equal(await readDuringWrite, "committed");
    assert.equal((await coffer.secrets.get(ws, created.id)).description, "committed");
  });

  test("a token revoked by another process is refused from the next turn on", async () => {
    const { token, item } = await coffer.tokens.create(ws, { role: "viewer", name: "other process" }, actor);
    assert.ok(await coffer.tokens.authenticate(token));
    await nextTurn();
    assert.ok(await coffer.tokens.authenticate(token));
    // A second handle on the same file, as the CLI is while `coffer serve` runs.
    const other = await env.open();
    try {
      await other.tokens.revoke(ws, item.id, actor);
      await other.secrets.create(ws, { name: "from_other", keys: [{ key: "K", value: "v" }] }, actor);
    } finally {
      await other.close();
    }
    await nextTurn();
    assert.equal(await coffer.tokens.authenticate(token), null);
    assert.equal((await coffer.secrets.getByName(ws, "from_other")).name, "from_other");
  });

  test("a secret changed by another process reads as changed from the next turn on", async () => {
    const created = await coffer.secrets.create(
      ws,
      { name: "changed_elsewhere", description: "before", keys: [{ key: "K", value: "v" }] },
      actor,
    );
    assert.equal((await coffer.secrets.get(ws, created.id)).description, "before");
    await nextTurn();
    assert.equal((await coffer.secrets.get(ws, created.id)).description, "before");
    const other = await env.open();
    try {
      await other.secrets.update(ws, created.id, { description: "after" }, actor);
    } finally {
      await other.close();
    }
    await nextTurn();
    const item = await coffer.secrets.get(ws, created.id);
    assert.equal(item.description, "after");
    assert.equal((await coffer.secrets.getByName(ws, "changed_elsewhere")).description, "after");
  });

  test("closing with reads of the current turn outstanding leaves the store consistent", async () => {
    const second = await env.open();
    const item = await second.secrets.getByName(ws, "same_turn");
    await second.close();
    // The turn's end finds the connection closed: nothing throws, and the file reopens cleanly.
    await nextTurn();
    const third = await env.open();
    try {
      assert.equal((await third.secrets.get(ws, item.id)).version, 2);
    } finally {
      await third.close();
    }
  });
});

// Reusable reads (a token by its hash, a secret's metadata) are answered from rows already read
// while the database has not changed: any change, by this connection or another, drops them.
describe("reusable reads on the embedded store", () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "coffer-reuse-"));
    file = join(dir, "reuse.db");
    const setup = new Sqlite(file);
    setup.pragma("journal_mode = WAL");
    setup.exec("create table t (id text primary key, label text not null)");
    setup.prepare("insert into t values (?, ?)").run("a", "first");
    setup.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const select = "select id, label from t where id = ?";
  const label = (rows: readonly unknown[] | undefined) => (rows?.[0] as { label: string } | undefined)?.label;

  test("an unchanged database answers a repeated read from the rows already read, frozen", async () => {
    const connection = new Sqlite(file);
    try {
      const { read } = sqliteStatements(connection);
      const first = read(select, ["a"], "reuse");
      await nextTurn();
      const again = read(select, ["a"], "reuse");
      assert.equal(again, first, "the same rows, not a second query");
      assert.ok(Object.isFrozen(again) && Object.isFrozen(again?.[0]));
      assert.throws(() => {
        (again?.[0] as { label: string }).label = "changed";
      }, TypeError);
      // Other parameters and non-reusable reads are their own queries.
      assert.deepEqual(read(select, ["b"], "reuse"), []);
      assert.notEqual(read(select, ["a"]), first);
    } finally {
      connection.close();
    }
  });

  test("a raw read gives each row as its columns in order, and the same SQL still reads objects", () => {
    const connection = new Sqlite(file);
    try {
      const { read, write } = sqliteStatements(connection);
      assert.deepEqual(read(select, ["a"], "raw"), [["a", "first"]]);
      assert.deepEqual(read(select, ["a"]), [{ id: "a", label: "first" }]);
      assert.deepEqual(read(select, ["a"], "raw"), [["a", "first"]]);
      // Inside a write transaction too.
      write.begin();
      assert.deepEqual(write.run(select, ["a"], "raw"), [["a", "first"]]);
      assert.deepEqual(write.run(select, ["a"]), [{ id: "a", label: "first" }]);
      write.rollback();
    } finally {
      connection.close();
    }
  });

  test("past the bound on kept reads, every read still answers with the stored row", () => {
    const connection = new Sqlite(file);
    try {
      const { read } = sqliteStatements(connection);
      const first = read(select, ["a"], "reuse");
      for (let i = 0; i < 5000; i++) read(select, [`missing_${i}`], "reuse");
      const again = read(select, ["a"], "reuse");
      assert.notEqual(again, first, "the kept rows were dropped and read anew");
      assert.deepEqual(again, first);
    } finally {
      connection.close();
    }
  });

  test("this connection's own write drops kept rows at once, in the same turn", () => {
    const connection = new Sqlite(file);
    try {
      const { read, handle } = sqliteStatements(connection);
      assert.equal(label(read(select, ["a"], "reuse")), "first");
      handle.prepare("update t set label = ? where id = ?").run(["own write", "a"]);
      assert.equal(label(read(select, ["a"], "reuse")), "own write");
    } finally {
      connection.close();
    }
  });

  test("another connection's commit is seen from the next turn on", async () => {
    const connection = new Sqlite(file);
    const other = new Sqlite(file);
    try {
      const { read } = sqliteStatements(connection);
      other.prepare("update t set label = ? where id = ?").run("before", "a");
      assert.equal(label(read(select, ["a"], "reuse")), "before");
      await nextTurn();
      assert.equal(label(read(select, ["a"], "reuse")), "before");
      other.prepare("update t set label = ? where id = ?").run("other process", "a");
      await nextTurn();
      assert.equal(label(read(select, ["a"], "reuse")), "other process");
    } finally {
      other.close();
      connection.close();
    }
  });
});
