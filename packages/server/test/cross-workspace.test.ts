// Two workspaces; each workspace's tokens against the other's slug, id and resource ids, on every
// route: always 404, with the same body as for a workspace or resource that does not exist, and
// nothing of the other workspace in the answer or changed by it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Role } from "@coffer/core";
import { testDialects } from "@coffer/core/testing";
import { errorCode, startTestApp, type TestApp } from "../src/http/testing.js";
import { type Fixture, makeFixture, ROUTES } from "./support.js";

for (const dialect of await testDialects("http cross-workspace isolation")) {
  describe(`cross-workspace isolation (${dialect})`, () => {
    let t: TestApp;
    let bravoId: string;
    const bravoTokens = {} as Record<Role, string>;
    before(async () => {
      t = await startTestApp(dialect);
      const bravo = await t.coffer.workspaces.create({ slug: "bravo" }, { actor: "test" });
      bravoId = bravo.id;
      for (const role of ["viewer", "editor", "admin"] as const) {
        bravoTokens[role] = (
          await t.coffer.tokens.create(bravoId, { role, name: `bravo ${role}` }, { actor: "test" })
        ).token;
      }
    });
    after(async () => t.close());

    const sides = [
      {
        label: "default's tokens against bravo",
        mine: () => "default",
        theirs: () => ({ id: bravoId, slug: "bravo" }),
      },
      {
        label: "bravo's tokens against default",
        mine: () => "bravo",
        theirs: () => ({ id: t.workspaceId, slug: "default" }),
      },
    ];

    for (const side of sides) {
      for (const route of ROUTES.filter((r) => r.scoped)) {
        test(`${side.label}: ${route.method} ${route.name} is 404 by slug, by id, and with their ids in my workspace`, async () => {
          const attackerTokens = side.mine() === "default" ? t.tokens : bravoTokens;
          const victim = side.theirs();
          const victimFixture = await makeFixture(t.coffer, victim.id, victim.slug);
          const victimSecret = await t.coffer.secrets.get(victim.id, victimFixture.secretId);
          const victimVariable = await t.coffer.variables.get(victim.id, victimFixture.variableId);
          const victimTokens = (await t.coffer.tokens.list(victim.id)).map((x) => x.id).sort();

          for (const role of ["viewer", "editor", "admin"] as const) {
            for (const ref of [victim.slug, victim.id]) {
              const f: Fixture = { ...victimFixture, workspace: ref };
              const res = await t.call(route.method, route.path(f), {
                token: attackerTokens[role],
                body: route.body?.(f),
              });
              assert.equal(res.statusCode, 404, `${role} ${ref}: ${res.body}`);
              // Exactly what a workspace that does not exist gets.
              const ghost = ref === victim.id ? randomUUID() : "no_such_workspace";
              const missing = await t.call(route.method, route.path({ ...f, workspace: ghost }), {
                token: attackerTokens[role],
                body: route.body?.(f),
              });
              assert.equal(missing.statusCode, 404);
              assert.deepEqual(res.json(), JSON.parse(missing.body.replaceAll(ghost, ref)));
              const other = ref === victim.id ? victim.slug : victim.id;
              assert.ok(!res.body.includes(other), "the answer names the other workspace");
              assert.ok(!res.body.includes(victimFixture.secretName));
            }

            // Their resource ids under my own workspace: not found, as if they did not exist.
            if (
              route.path(victimFixture).includes(victimFixture.secretId) ||
              /variables\/|tokens\/|workflows\/|runs\//.test(route.path(victimFixture))
            ) {
              const mine: Fixture = { ...victimFixture, workspace: side.mine() };
              const res = await t.call(route.method, route.path(mine), {
                token: attackerTokens[role],
                body: route.body?.(mine),
              });
              if (res.statusCode === 403) continue; // the role check comes first; still nothing revealed
              assert.equal(res.statusCode, 404, `${role} own workspace, their id: ${res.body}`);
              assert.match(String(errorCode(res)), /_not_found$/);
              assert.ok(!res.body.includes(victimFixture.secretName));
            }
          }

          // Nothing of theirs changed.
          assert.deepEqual(await t.coffer.secrets.get(victim.id, victimFixture.secretId), victimSecret);
          assert.deepEqual(await t.coffer.variables.get(victim.id, victimFixture.variableId), victimVariable);
          assert.deepEqual((await t.coffer.tokens.list(victim.id)).map((x) => x.id).sort(), victimTokens);
          // And nothing was created on their side by a create route.
          assert.deepEqual((await t.coffer.secrets.list(victim.id, { prefix: "s_" })).items, []);
          assert.equal((await t.coffer.variables.list(victim.id)).filter((v) => v.name.startsWith("v_")).length, 0);
        });
      }
    }

    test("lists only ever show the caller's own workspace", async () => {
      await makeFixture(t.coffer, bravoId, "bravo");
      const mine = await t.call("GET", "/api/v1/workspaces/default/secrets?limit=1000", { token: t.tokens.viewer });
      const bravoNames = new Set((await t.coffer.secrets.list(bravoId, { limit: 1000 })).items.map((i) => i.id));
      for (const item of mine.json().items as { id: string }[]) assert.ok(!bravoNames.has(item.id));
      const who = await t.call("GET", "/api/v1/whoami", { token: bravoTokens.viewer });
      assert.deepEqual(who.json().workspace, { id: bravoId, slug: "bravo" });
    });

    test("a cross-workspace attempt is audited as a denied request in the caller's workspace", async () => {
      // A token not yet denied: its first denial is written at once (later ones are coalesced).
      const fresh = await t.coffer.tokens.create(
        t.workspaceId,
        { role: "admin", name: "fresh admin" },
        { actor: "test" },
      );
      const res = await t.call("GET", `/api/v1/workspaces/${bravoId}/secrets`, { token: fresh.token });
      const requestId = String(res.headers["x-request-id"]);
      const event = (await t.coffer.audit.list({ limit: 100_000 })).find((e) => e.requestId === requestId);
      assert.ok(event);
      assert.equal(event.action, "request.denied");
      assert.equal(event.workspaceId, t.workspaceId);
      assert.equal(event.details.status, 404);
    });
  });
}
