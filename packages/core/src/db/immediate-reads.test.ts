import assert from "node:assert/strict";
import { test } from "node:test";
import { convertedOnce } from "./immediate-reads.js";

test("a kept (frozen) row is converted once, into a value frozen all the way down; a fresh row every time", () => {
  let calls = 0;
  const toRecord = convertedOnce((row: { tags: string }) => {
    calls += 1;
    return { tags: JSON.parse(row.tags) as Record<string, string>, bytes: Buffer.from("ab") };
  });
  const kept = Object.freeze({ tags: '{"team":"ir"}' });
  const first = toRecord(kept);
  assert.equal(toRecord(kept), first, "the same value for the same kept row");
  assert.equal(calls, 1);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.tags));
  assert.throws(() => {
    (first.tags as Record<string, string>).team = "changed";
  }, TypeError);

  const fresh = { tags: '{"team":"ir"}' };
  const a = toRecord(fresh);
  const b = toRecord(fresh);
  assert.notEqual(a, b, "rows that are not kept are converted on every call");
  assert.equal(calls, 3);
  a.tags.team = "mutable";
  assert.deepEqual(b.tags, { team: "ir" });
});
