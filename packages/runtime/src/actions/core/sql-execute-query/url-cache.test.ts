// The parsed CONNECTION_URL kept between runs (real PostgreSQL): only the last successful run's,
// and gone as soon as any pool is evicted or closed, so the credentials in it never outlive the
// pool that holds them too.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { runAction, testContext } from "../../test-context.test-support.js";
import { cachedUrl, closeSqlPools } from "./pools.js";
import { sqlExecuteQueryAction } from "./sql-execute-query.js";

const run = (url: string) =>
  runAction(sqlExecuteQueryAction, { query: "SELECT 1 AS one" }, testContext({ sql: { CONNECTION_URL: url } }));
const marker = randomBytes(3).toString("hex");

test("a successful run's URL is kept, a failed run's never, and closing the pools forgets it", async () => {
  const good = `postgresql://postgres:pw@127.0.0.1:5432/test?application_name=cache_${marker}`;
  assert.deepEqual(await run(good), [{ one: 1 }]);
  assert.equal((cachedUrl(good) as { password?: string } | undefined)?.password, "pw");
  const bad = `postgresql://postgres:pw2@127.0.0.1:5432/coffer_no_such_db_${marker}`;
  await assert.rejects(run(bad));
  assert.equal(cachedUrl(bad), undefined);
  assert.notEqual(cachedUrl(good), undefined, "a failed run leaves the last good one");
  await closeSqlPools();
  assert.equal(cachedUrl(good), undefined);
});

test("when another configuration's pool pushes out the pool of the kept URL, the URL goes too", async () => {
  const good = `postgresql://postgres:pw@127.0.0.1:5432/test?application_name=cache2_${marker}`;
  assert.deepEqual(await run(good), [{ one: 1 }]);
  assert.notEqual(cachedUrl(good), undefined);
  // 16 configurations whose runs fail after their pools exist: the oldest pool (the good URL's) is ended
  for (let i = 0; i < 16; i++) {
    await assert.rejects(run(`postgresql://postgres@127.0.0.1:5432/coffer_no_such_db_${marker}_${i}`));
  }
  assert.equal(cachedUrl(good), undefined);
  await closeSqlPools();
});
