import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { type Database, openDatabase } from "./database.js";

const sizeOf = (path: string) => statSync(path).size;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function writeRows(database: Database, from: number, count: number) {
  for (let i = from; i < from + count; i++) {
    await database.writeTransaction(async (trx) => {
      await sql`insert into filler (id, body) values (${i}, ${"x".repeat(3000)})`.execute(trx);
    });
  }
}

async function openWithFiller(path: string, afterWrites: number) {
  const database = await openDatabase(`sqlite:${path}`, { checkpoints: { afterWrites, intervalMs: 5 } });
  await database.writeTransaction(async (trx) => {
    await sql`create table if not exists filler (id integer primary key, body text not null)`.execute(trx);
  });
  return database;
}

// A busy writer's checkpoints run on a thread of their own (sqlite-checkpoints.ts): the pages its
// commits put in the WAL reach the database file without the writer copying them.
describe("background checkpoints on the embedded store", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "coffer-checkpoints-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("after enough writes, committed pages reach the database file while the writer only appends to the WAL", async () => {
    const path = join(dir, "busy.db");
    const database = await openWithFiller(path, 10);
    const before = sizeOf(path);
    // 200 rows of 3 KB: about 600 KiB, far below the writers' own 4,000-page checkpoint.
    await writeRows(database, 0, 200);
    let grown = false;
    for (let i = 0; i < 200 && !grown; i++) {
      await sleep(10);
      grown = sizeOf(path) >= before + 500 * 1024;
    }
    assert.ok(grown, `the database file should have taken the committed pages (${before} → ${sizeOf(path)} bytes)`);
    await database.close();
    const reopened = await openDatabase(`sqlite:${path}`);
    const rows = await sql<{ n: number }>`select count(*) as n from filler`.execute(reopened.db);
    assert.equal(rows.rows[0]!.n, 200);
    await reopened.close();
  });

  test("a process that writes less than the threshold never starts the thread: its pages stay in the WAL until close", async () => {
    const path = join(dir, "short.db");
    const database = await openWithFiller(path, 1_000);
    const before = sizeOf(path);
    await writeRows(database, 0, 100);
    await sleep(100);
    assert.equal(sizeOf(path), before, "nothing may have checkpointed the file yet");
    await database.close();
    // Closing the last connection checkpoints everything into the file.
    assert.ok(sizeOf(path) > before + 250 * 1024);
  });

  test("close stops the thread and closes its connection: the WAL is folded in and removed, as after any last close", async () => {
    const path = join(dir, "closed.db");
    const database = await openWithFiller(path, 1);
    await writeRows(database, 0, 20);
    await sleep(50);
    assert.ok(existsSync(`${path}-wal`));
    await database.close();
    // SQLite removes the WAL only when the last connection to the file closes.
    assert.equal(existsSync(`${path}-wal`), false, "a connection (the thread's) is still open");
  });
});
