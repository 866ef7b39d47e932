import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import { createTestEnvironment, openBootstrapped, type TestEnvironment } from "../testing/index.js";

describe("audit page: the secret filter (sqlite)", () => {
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

  test("finds a secret's events, also rows written with the secret's type as target type; not a variable of that name", async () => {
    const actor = { actor: "test" };
    const s = await coffer.secrets.create(
      ws,
      { name: "shared", type: "custom", keys: [{ key: "K", value: "v" }] },
      actor,
    );
    await coffer.secrets.update(ws, s.id, { keys: [{ key: "K", value: "w" }] }, actor);
    // How update events were written before the target type was fixed.
    await coffer.audit.record([
      {
        actor: "old",
        workspaceId: ws,
        action: "secret.restore",
        targetType: "custom",
        targetId: s.id,
        targetName: "shared",
      },
    ]);
    await coffer.variables.create(ws, { name: "shared", values: { A: "1" } }, actor);
    const page = await coffer.audit.page(ws, { secret: "shared" });
    assert.deepEqual(
      page.items.map((i) => `${i.action} ${i.target.type}`),
      ["secret.restore custom", "secret.update secret", "secret.create secret"],
    );
  });
});
