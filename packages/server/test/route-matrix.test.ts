// Every route × no token, a bad token, and each role: who gets in, who gets 401/403, and that
// every refusal is an audit event (without the token).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ROLES, type Role } from "@coffer/core";
import { testDialects } from "@coffer/core/testing";
import type { LightMyRequestResponse } from "fastify";
import { errorCode, startTestApp, type TestApp } from "../src/http/testing.js";
import { makeFixture, ROUTES, type RouteCase } from "./support.js";

/**
 * The expected access of every route, pinned as data (not computed by the code under test): a new
 * route fails the matrix until it is added here, and a route whose role check goes missing fails.
 */
const EXPECTED_ROLE: Record<string, Role | "public"> = {
  "GET /api/v1/health": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /api/v1/docs": "public",
  "GET /api/v1/docs/static/index.html": "public",
  "GET /api/v1/docs/static/swagger-initializer.js": "public",
  "GET /api/v1/docs/json": "public",
  "GET /api/v1/docs/yaml": "public",
  "GET /api/v1/docs/static/*": "public",
  "GET /api/v1/whoami": "viewer",
  "GET /api/v1/workspaces/:workspace/secrets": "viewer",
  "GET /api/v1/workspaces/:workspace/secrets/definitions": "viewer",
  "POST /api/v1/workspaces/:workspace/secrets": "editor",
  "GET /api/v1/workspaces/:workspace/secrets/:id": "viewer",
  "GET /api/v1/workspaces/:workspace/secrets/by-name/:name": "viewer",
  "PATCH /api/v1/workspaces/:workspace/secrets/:id": "editor",
  "DELETE /api/v1/workspaces/:workspace/secrets/:id": "admin",
  "GET /api/v1/workspaces/:workspace/secrets/:id/versions": "viewer",
  "POST /api/v1/workspaces/:workspace/secrets/:id/versions/:number/restore": "admin",
  "GET /api/v1/workspaces/:workspace/environments": "viewer",
  "GET /api/v1/workspaces/:workspace/variables": "viewer",
  "POST /api/v1/workspaces/:workspace/variables": "editor",
  "GET /api/v1/workspaces/:workspace/variables/:id": "viewer",
  "PATCH /api/v1/workspaces/:workspace/variables/:id": "editor",
  "DELETE /api/v1/workspaces/:workspace/variables/:id": "admin",
  "GET /api/v1/workspaces/:workspace/tokens": "admin",
  "POST /api/v1/workspaces/:workspace/tokens": "admin",
  "DELETE /api/v1/workspaces/:workspace/tokens/:id": "admin",
  "GET /api/v1/workspaces/:workspace/audit": "admin",
  "GET /api/v1/workspaces/:workspace/workflows": "viewer",
  "POST /api/v1/workspaces/:workspace/workflows": "editor",
  "GET /api/v1/workspaces/:workspace/workflows/:id": "viewer",
  "PUT /api/v1/workspaces/:workspace/workflows/:id": "editor",
  "DELETE /api/v1/workspaces/:workspace/workflows/:id": "admin",
  "POST /api/v1/workspaces/:workspace/workflows/:id/runs": "editor",
  "GET /api/v1/workspaces/:workspace/workflows/:id/runs": "viewer",
  "GET /api/v1/workspaces/:workspace/runs": "viewer",
  "GET /api/v1/workspaces/:workspace/runs/:id": "viewer",
  "POST /api/v1/workspaces/:workspace/runs/:id/cancel": "editor",
};

/** The only routes callable without a token. */
const PUBLIC_ROUTES = [
  "GET /api/v1/docs",
  "GET /api/v1/docs/json",
  "GET /api/v1/docs/static/*",
  "GET /api/v1/docs/static/index.html",
  "GET /api/v1/docs/static/swagger-initializer.js",
  "GET /api/v1/docs/yaml",
  "GET /api/v1/health",
  "GET /api/v1/openapi.json",
];

/** Which token roles each least role lets in, as data. */
const LETS_IN: Record<Role, readonly Role[]> = {
  viewer: ["viewer", "editor", "admin"],
  editor: ["editor", "admin"],
  admin: ["admin"],
};

const TEMPLATE = {
  workspace: ":workspace",
  secretId: ":id",
  secretName: ":name",
  variableId: ":id",
  tokenId: ":id",
  workflowId: ":id",
  runId: ":id",
};

function keyOf(route: RouteCase): string {
  return `${route.method} ${route.path(TEMPLATE).replace("/versions/1/", "/versions/:number/")}`;
}

function expectedRole(route: RouteCase): Role {
  const role = EXPECTED_ROLE[keyOf(route)];
  assert.ok(role && role !== "public", `${keyOf(route)} is not pinned as an authenticated route`);
  return role;
}

for (const dialect of await testDialects("http route x role matrix")) {
  describe(`route × role matrix (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      // One audit row per denial, so each can be found by its request id.
      t = await startTestApp(dialect, {}, { deniedAuditWindowMs: 0 });
    });
    after(async () => t.close());

    async function auditedDenial(response: LightMyRequestResponse, presented: string | null) {
      const requestId = String(response.headers["x-request-id"]);
      const events = await t.coffer.audit.list({ limit: 100_000 });
      const event = events.find((e) => e.requestId === requestId);
      assert.ok(event, `no audit event for denied request ${requestId}`);
      assert.equal(event.action, "request.denied");
      assert.equal(event.outcome, "denied");
      assert.equal(event.details.status, response.statusCode);
      assert.equal(typeof event.details.route, "string");
      if (presented) assert.ok(!JSON.stringify(event).includes(presented), "the audit row holds the token");
    }

    for (const route of ROUTES) {
      test(`${route.method} ${route.name}: 401 without or with a bad token, 403 below ${route.role}, ${route.ok} from ${route.role} up`, async () => {
        const least = expectedRole(route);
        const fixture = await makeFixture(t.coffer, t.workspaceId, "default");
        const url = route.path(fixture);
        const body = route.body?.(fixture);

        const none = await t.call(route.method, url, { token: null, body });
        assert.equal(none.statusCode, 401, none.body);
        assert.equal(errorCode(none), "missing_token");
        await auditedDenial(none, null);

        const forged = `coffer_${randomBytes(32).toString("base64url")}`;
        const bad = await t.call(route.method, url, { token: forged, body });
        assert.equal(bad.statusCode, 401, bad.body);
        assert.equal(errorCode(bad), "invalid_token");
        await auditedDenial(bad, forged);

        const garbage = await t.call(route.method, url, {
          token: null,
          body,
          headers: { authorization: "Basic YTpi" },
        });
        assert.equal(garbage.statusCode, 401);

        for (const role of ROLES) {
          const fresh = await makeFixture(t.coffer, t.workspaceId, "default");
          const res = await t.call(route.method, route.path(fresh), {
            token: t.tokens[role],
            body: route.body?.(fresh),
          });
          if (LETS_IN[least].includes(role)) {
            assert.equal(res.statusCode, route.ok, `${role}: ${res.body}`);
          } else {
            assert.equal(res.statusCode, 403, `${role}: ${res.body}`);
            assert.equal(errorCode(res), "insufficient_role");
            assert.deepEqual(res.json().error.details, { required: least, role });
            await auditedDenial(res, t.tokens[role]);
          }
        }
      });
    }

    test("every registered route is pinned with its role, and only the pinned routes are public", async () => {
      const registered = new Map<string, string>();
      for (const entry of t.app.routeTable) {
        if (entry.method === "HEAD") continue;
        registered.set(`${entry.method} ${entry.url}`, entry.role);
      }
      for (const [key, role] of registered) {
        assert.ok(key in EXPECTED_ROLE, `${key} is a route the matrix does not know: pin its role in EXPECTED_ROLE`);
        assert.equal(role, EXPECTED_ROLE[key], `${key} declares '${role}'`);
      }
      assert.deepEqual([...registered.keys()].sort(), Object.keys(EXPECTED_ROLE).sort());
      const publicNow = [...registered].filter(([, role]) => role === "public").map(([key]) => key);
      assert.deepEqual(publicNow.sort(), [...PUBLIC_ROUTES].sort());
      // Every authenticated route is exercised by a case of the matrix.
      const exercised = new Set(ROUTES.map(keyOf));
      for (const [key, role] of Object.entries(EXPECTED_ROLE)) {
        if (role !== "public") assert.ok(exercised.has(key), `${key} has no matrix case`);
      }
    });

    test("HEAD of an authenticated GET route needs a token too", async () => {
      for (const entry of t.app.routeTable) {
        if (entry.method !== "HEAD" || entry.role === "public") continue;
        const fixture = await makeFixture(t.coffer, t.workspaceId, "default");
        const url = entry.url
          .replace(":workspace", "default")
          .replace(":id", fixture.secretId)
          .replace(":name", fixture.secretName);
        const res = await t.app.inject({ method: "HEAD", url });
        assert.equal(res.statusCode, 401, `HEAD ${entry.url}`);
      }
    });

    test("the table covers every authenticated route the API documents", async () => {
      const doc = (await t.call("GET", "/api/v1/openapi.json", { token: null })).json() as {
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      const documented = new Set<string>();
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          if (op.security?.length) documented.add(`${method.toUpperCase()} ${path}`);
        }
      }
      const placeholders = {
        workspace: "{workspace}",
        secretId: "{id}",
        secretName: "{name}",
        variableId: "{id}",
        tokenId: "{id}",
        workflowId: "{id}",
        runId: "{id}",
      };
      const covered = new Set(
        ROUTES.map((r) => `${r.method} ${r.path(placeholders).replace("/versions/1/", "/versions/{number}/")}`),
      );
      assert.deepEqual([...documented].sort(), [...covered].sort());
    });

    test("a refused write changes nothing", async () => {
      const fixture = await makeFixture(t.coffer, t.workspaceId, "default");
      const before = await t.coffer.secrets.get(t.workspaceId, fixture.secretId);
      const res = await t.call("DELETE", `/api/v1/workspaces/default/secrets/${fixture.secretId}`, {
        token: t.tokens.editor,
      });
      assert.equal(res.statusCode, 403);
      const patch = await t.call("PATCH", `/api/v1/workspaces/default/secrets/${fixture.secretId}`, {
        token: t.tokens.viewer,
        body: { description: "nope" },
      });
      assert.equal(patch.statusCode, 403);
      assert.deepEqual(await t.coffer.secrets.get(t.workspaceId, fixture.secretId), before);
    });

    test("the audit chain still verifies after all the denials", async () => {
      const verification = await t.coffer.audit.verify();
      assert.equal(verification.ok, true, JSON.stringify(verification.problem));
    });
  });
}
