// tracecat.md Appendix A (A1–A7, A10) as workflows, adapted to Coffer's strictness: a missing key
// fails the action before it runs instead of evaluating to None.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { actor, type Harness, openHarness, results } from "./harness.test-support.js";

let h: Harness;
before(async () => {
  h = await openHarness();
  const create = (name: string, environment: string, key: string, value: string) =>
    h.coffer.secrets.create(h.workspaceId, { name, environment, keys: [{ key, value }] }, actor);
  await create("slack", "default", "SLACK_BOT_TOKEN", "xoxb-111");
  await create("slack", "customer_acme", "SLACK_BOT_TOKEN", "xoxb-222");
  await create("vt", "default", "VIRUSTOTAL_API_KEY", "vt-abc");
  await create("other", "default", "SLACK_BOT_TOKEN", "zzz");
});
after(() => h.close());

const one = (value: unknown, extra: Record<string, unknown> = {}) =>
  h.run(
    stringify({
      title: "t",
      description: "d",
      entrypoint: {},
      config: { environment: "default" },
      actions: [{ ref: "x", action: "core.transform.reshape", args: { value }, ...extra }],
    }),
  );

describe("Appendix A through the engine", () => {
  test("A1: the default environment's value is used and masked in the result", async () => {
    const r = await one({
      header: "Bearer ${{ SECRETS.slack.SLACK_BOT_TOKEN }}",
      is111: "${{ SECRETS.slack.SLACK_BOT_TOKEN == 'xoxb-111' }}",
    });
    assert.deepEqual(results(r).x, { header: "Bearer ***", is111: true });
  });

  test("A2: environment customer_acme gets that environment's value", async () => {
    const r = await one("${{ SECRETS.slack.SLACK_BOT_TOKEN == 'xoxb-222' }}", { environment: "customer_acme" });
    assert.equal(results(r).x, true);
  });

  test("A3: an environment without the secret fails the action before it runs, naming secret and environment", async () => {
    const r = await one("${{ SECRETS.slack.SLACK_BOT_TOKEN }}", { environment: "staging" });
    assert.equal(r.status, "failed");
    const info = r.error?.failures.x;
    assert.equal(info?.code, "secrets_unresolved");
    assert.match(info?.message ?? "", /slack/);
    assert.match(info?.message ?? "", /staging/);
  });

  test("A4/A5 (stricter): a missing key fails the action, whole-template or interpolated", async () => {
    for (const value of ["${{ SECRETS.slack.MISSING }}", "token=${{ SECRETS.slack.MISSING }}"]) {
      const r = await one(value);
      assert.equal(r.status, "failed");
      assert.equal(r.error?.failures.x?.code, "secrets_unresolved");
      assert.match(r.error?.failures.x?.message ?? "", /MISSING/);
    }
  });

  test("A6: a fallback covers a missing key", async () => {
    assert.equal(results(await one("${{ SECRETS.slack.MISSING || 'fallback' }}")).x, "fallback");
  });

  test("A7 (adapted): two secrets with the same key name, each referenced by name, both resolve", async () => {
    const r = await one("${{ [SECRETS.slack.SLACK_BOT_TOKEN == 'xoxb-111', SECRETS.other.SLACK_BOT_TOKEN == 'zzz'] }}");
    assert.deepEqual(results(r).x, [true, true]);
  });

  test("A10: a hyphen in a secret name is a parse error when the file loads, naming the action and field", async () => {
    await assert.rejects(
      async () => one("${{ SECRETS.my-secret.KEY }}"),
      /Action 'x' has an invalid expression in field 'inputs'/,
    );
  });
});
