import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import { isCofferError } from "../errors/coffer-error.js";
import { createTestEnvironment, openBootstrapped, type TestEnvironment } from "../testing/index.js";
import { MAX_VALUE_DEPTH } from "./variables.service.js";

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

describe("variables: how deep a value may nest", () => {
  let env: TestEnvironment;
  let coffer: Coffer;
  let workspaceId: string;
  const actor = { actor: "test" };
  before(async () => {
    env = await createTestEnvironment("sqlite");
    ({ coffer, workspaceId } = await openBootstrapped(env));
  });
  after(async () => {
    await coffer.close();
    await env.cleanup();
  });

  test(`a value nested ${MAX_VALUE_DEPTH} levels deep is kept as it was given`, async () => {
    const item = await coffer.variables.create(workspaceId, { name: "deep_ok", values: { K: nested(32) } }, actor);
    assert.deepEqual(item.values.K, nested(32));
  });

  for (const depth of [MAX_VALUE_DEPTH + 1, 2_000, 200_000]) {
    test(`a value nested ${depth} levels deep is refused with value_too_deep (422), on create and update`, async () => {
      const check = (error: unknown) => {
        assert.ok(isCofferError(error), String(error));
        assert.equal(error.code, "value_too_deep");
        assert.equal(error.status, 422);
        assert.match(error.message, /'K' nests lists or objects more than 32 levels deep/);
        assert.deepEqual(error.details, { key: "K", max_depth: 32 });
        return true;
      };
      await assert.rejects(
        coffer.variables.create(workspaceId, { name: `deep_${depth}`, values: { K: nested(depth) } }, actor),
        check,
      );
      const ok = await coffer.variables.create(workspaceId, { name: `shallow_${depth}`, values: { K: 1 } }, actor);
      await assert.rejects(coffer.variables.update(workspaceId, ok.id, { values: { K: nested(depth) } }, actor), check);
      assert.deepEqual((await coffer.variables.get(workspaceId, ok.id)).values, { K: 1 });
    });
  }
});
