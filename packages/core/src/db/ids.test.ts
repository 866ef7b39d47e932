import assert from "node:assert/strict";
import { test } from "node:test";
import { newId } from "./ids.js";

test("ids made one after another sort in the order they were made, also within one millisecond", () => {
  const ids = Array.from({ length: 20_000 }, () => newId());
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids.slice(0, 100)) {
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "a UUIDv7");
  }
  // The timestamp is the clock's (it runs ahead by at most a few ms when 4,096 ids share one).
  const ms = Number.parseInt(ids.at(-1)!.replace(/-/g, "").slice(0, 12), 16);
  assert.ok(Math.abs(ms - Date.now()) < 1000);
});
