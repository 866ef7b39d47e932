import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import { internalsOf } from "../internals.js";
import { createTestEnvironment, openBootstrapped, type TestEnvironment } from "../testing/index.js";

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
