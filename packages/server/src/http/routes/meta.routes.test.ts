import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { internalsOf, testDialects } from "@coffer/core/testing";
import { errorCode, startTestApp, type TestApp } from "../testing.js";

for (const dialect of await testDialects("http meta routes")) {
  describe(`meta routes (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test("health answers without a token", async () => {
      const res = await t.call("GET", "/api/v1/health", { token: null });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: "ok" });
    });

    test("whoami names the token's workspace, role and name; needs a token", async () => {
      const res = await t.call("GET", "/api/v1/whoami", { token: t.tokens.viewer });
      assert.deepEqual(res.json().workspace, { id: t.workspaceId, slug: "default" });
      assert.equal(res.json().role, "viewer");
      assert.equal(res.json().token.name, "test viewer");
      const anonymous = await t.call("GET", "/api/v1/whoami", { token: null });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.headers["www-authenticate"], 'Bearer realm="coffer"');
    });

    test("OpenAPI 3 document lists every route with bearer security and the Secret schema", async () => {
      const res = await t.call("GET", "/api/v1/openapi.json", { token: null });
      assert.equal(res.statusCode, 200);
      const doc = res.json();
      assert.match(doc.openapi, /^3\./);
      for (const path of [
        "/api/v1/health",
        "/api/v1/whoami",
        "/api/v1/workspaces/{workspace}/secrets",
        "/api/v1/workspaces/{workspace}/secrets/{id}",
        "/api/v1/workspaces/{workspace}/secrets/by-name/{name}",
        "/api/v1/workspaces/{workspace}/secrets/{id}/versions",
        "/api/v1/workspaces/{workspace}/secrets/{id}/versions/{number}/restore",
        "/api/v1/workspaces/{workspace}/environments",
        "/api/v1/workspaces/{workspace}/variables",
        "/api/v1/workspaces/{workspace}/variables/{id}",
        "/api/v1/workspaces/{workspace}/tokens",
        "/api/v1/workspaces/{workspace}/tokens/{id}",
      ]) {
        assert.ok(doc.paths[path], `missing ${path}`);
      }
      assert.deepEqual(doc.components.securitySchemes.bearer, { type: "http", scheme: "bearer" });
      assert.ok(doc.components.schemas.Secret.properties.keys);
      assert.ok(!("values" in doc.components.schemas.Secret.properties));
      const create = doc.paths["/api/v1/workspaces/{workspace}/secrets"].post;
      assert.deepEqual(create.security, [{ bearer: [] }]);
      assert.ok(create.requestBody.content["application/json"].schema.properties.keys);
    });

    test("the docs page is served", async () => {
      const res = await t.call("GET", "/api/v1/docs/", { token: null });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /text\/html/);
    });

    test("unknown routes answer 404 in the error format, each response has a request id", async () => {
      const res = await t.call("GET", "/api/v1/nothing-here", { token: null });
      assert.equal(res.statusCode, 404);
      assert.equal(errorCode(res), "route_not_found");
      assert.match(String(res.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
      const line = t.logs.find((l) => l.includes(String(res.headers["x-request-id"])));
      assert.ok(line, "the request id appears in the log");
    });
  });
}

for (const dialect of await testDialects("http with a lost database")) {
  describe(`when the database is gone (${dialect})`, () => {
    test("health says 503, other routes 500 internal_error with no detail; the log says where, not what", async () => {
      const t = await startTestApp(dialect);
      try {
        await internalsOf(t.coffer).database.close();
        const health = await t.call("GET", "/api/v1/health", { token: null });
        assert.equal(health.statusCode, 503);
        assert.equal(errorCode(health), "database_unavailable");
        const res = await t.call("GET", "/api/v1/workspaces/default/secrets");
        assert.equal(res.statusCode, 500);
        assert.deepEqual(res.json().error.details, {});
        assert.equal(errorCode(res), "internal_error");
        const line = t.logs.find((l) => l.includes(String(res.headers["x-request-id"])) && l.includes('"level":50'));
        assert.ok(line, "the failure is logged at error level with the request id");
        assert.ok(JSON.parse(line).err.at.length > 0);
      } finally {
        await t.app.close();
        await t.env.cleanup();
      }
    });
  });
}
