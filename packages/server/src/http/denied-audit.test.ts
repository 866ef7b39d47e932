// Denied requests are all recorded, but a flood of them writes a few audit rows, not one each.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AuditEvent } from "@coffer/core";
import { createTestEnvironment, type TestEnvironment } from "@coffer/core/testing";
import { startServer } from "./server.js";
import { startTestApp, type TestApp } from "./testing.js";

function denials(events: AuditEvent[], code: string): AuditEvent[] {
  return events.filter((e) => e.action === "request.denied" && e.details.code === code);
}

function total(events: AuditEvent[]): number {
  return events.reduce((sum, e) => sum + Number(e.details.count), 0);
}

describe("denied requests are coalesced per source and window", () => {
  let t: TestApp;
  let closed = false;
  before(async () => {
    t = await startTestApp("sqlite");
  });
  after(async () => {
    if (!closed) await t.app.close();
    await t.coffer.close();
    await t.env.cleanup();
  });

  test("300 unauthenticated requests → a few rows whose counts sum to 300, the last window's row written on close", async () => {
    const requests = 300;
    for (let i = 0; i < requests; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => t.call("GET", "/api/v1/whoami", { token: null })));
    }
    const forged = "coffer_not-a-real-token-at-all-000000000000000";
    for (let i = 0; i < 20; i++) await t.call("GET", "/api/v1/whoami", { token: forged });
    const editorDenied = await t.call("DELETE", "/api/v1/workspaces/default/secrets/x", { token: t.tokens.editor });
    assert.equal(editorDenied.statusCode, 403);

    const during = await t.coffer.audit.list({ limit: 100_000 });
    // The first denial of each source is written at once, so an attack shows immediately.
    assert.equal(denials(during, "missing_token").length, 1);
    assert.equal(denials(during, "missing_token")[0]?.details.remote_address, "127.0.0.1");
    assert.equal(denials(during, "invalid_token").length, 1);
    assert.equal(denials(during, "insufficient_role").length, 1);

    await t.app.close();
    closed = true;
    const events = await t.coffer.audit.list({ limit: 100_000 });
    const missing = denials(events, "missing_token");
    assert.ok(missing.length <= 3, `${missing.length} rows for ${requests} denials`);
    assert.equal(total(missing), requests);
    assert.equal(total(denials(events, "invalid_token")), 20);
    assert.ok(!JSON.stringify(events).includes(forged), "the presented token is not audited");
    assert.equal(total(denials(events, "insufficient_role")), 1);
    assert.equal((await t.coffer.audit.verify()).ok, true);
  });
});

describe("a served process writes the pending denials when it shuts down gracefully", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite");
  });
  after(async () => env.cleanup());

  test("50 denied requests over HTTP, then close(): rows counting 50", async () => {
    const server = await startServer(env.config(), { port: 0, host: "127.0.0.1", handleSignals: false, logger: false });
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${server.url}/api/v1/whoami`);
      assert.equal(res.status, 401);
    }
    const { openCoffer } = await import("@coffer/core");
    await server.close();
    const coffer = await openCoffer(env.config());
    try {
      const rows = denials(await coffer.audit.list({ limit: 100_000 }), "missing_token");
      assert.ok(rows.length <= 3, `${rows.length} rows`);
      assert.equal(total(rows), 50);
    } finally {
      await coffer.close();
    }
  });
});
