// Deployed workflows and their runs through the HTTP API, with tokens of each role, on both
// databases: deploy, run with a trigger and an environment, wait, read the run and its actions,
// cancel a long run, list with filters and pages; a canary secret echoed back by a loopback
// server is masked in the stored rows, the API responses and the server log.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { canary, describeLeaks, LeakHunter, storeHaystacks, testDialects } from "@coffer/core/testing";
import { stringify } from "yaml";
import { errorCode, startTestApp, type TestApp } from "../src/http/testing.js";

interface Loopback {
  url: string;
  server: Server;
  /** Requests to /slow that are still held open. */
  held: ServerResponse[];
  close(): Promise<void>;
}

/** /echo answers with what it was sent (headers and body); /slow never answers until closed. */
async function loopback(): Promise<Loopback> {
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      if (req.url?.startsWith("/slow")) {
        held.push(res);
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    held,
    async close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function echoWorkflow(url: string): Record<string, unknown> {
  return {
    title: "echo the token",
    description: "calls a loopback server that echoes the Authorization header",
    entrypoint: { ref: "call", expects: { who: { type: "str" }, items: { type: "list[int]", default: [] } } },
    config: { environment: "default" },
    actions: [
      {
        ref: "call",
        action: "core.http_request",
        args: {
          url: `${url}/echo`,
          method: "POST",
          headers: { Authorization: "Bearer ${{ SECRETS.api.TOKEN }}" },
          payload: { who: "${{ TRIGGER.who }}" },
        },
      },
      {
        ref: "each",
        action: "core.http_request",
        depends_on: ["call"],
        for_each: "${{ for var.x in TRIGGER.items }}",
        args: {
          url: `${url}/echo`,
          method: "POST",
          headers: { Authorization: "Bearer ${{ SECRETS.api.TOKEN }}" },
          payload: { x: "${{ var.x }}" },
        },
      },
    ],
    returns: { echoed: "${{ ACTIONS.call.result.data.authorization }}", who: "${{ TRIGGER.who }}" },
  };
}

for (const dialect of await testDialects("workflow runs API")) {
  describe(`workflow runs API (${dialect})`, () => {
    let t: TestApp;
    let lb: Loopback;
    const values = { dflt: canary("api_default"), prod: canary("api_prod") };
    const base = () => "/api/v1/workspaces/default";

    before(async () => {
      lb = await loopback();
      t = await startTestApp(dialect, {}, { runs: { engine: { retryBaseDelayMs: 1 } } });
      for (const [environment, value] of [
        ["default", values.dflt],
        ["prod", values.prod],
      ] as const) {
        await t.coffer.secrets.create(
          t.workspaceId,
          { name: "api", environment, keys: [{ key: "TOKEN", value }] },
          { actor: "test" },
        );
      }
    });
    after(async () => {
      await t?.close();
      await lb?.close();
    });

    const deploy = async (doc: unknown, alias?: string, token = t.tokens.editor) =>
      t.call("POST", `${base()}/workflows`, { token, body: { definition: doc, ...(alias ? { alias } : {}) } });

    test("deploy: viewer 403, editor 201 (wf_ id, version); the same alias again is version 2; YAML bodies work too", async () => {
      const denied = await deploy(echoWorkflow(lb.url), "echo", t.tokens.viewer);
      assert.equal(denied.statusCode, 403);
      const first = await deploy(echoWorkflow(lb.url), "echo");
      assert.equal(first.statusCode, 201, first.body);
      const item = first.json();
      assert.match(item.id, /^wf_[0-9A-Za-z]+$/);
      assert.equal(item.version, 1);
      assert.equal(item.alias, "echo");
      const yaml = await t.app.inject({
        method: "POST",
        url: `${base()}/workflows?alias=echo`,
        headers: { authorization: `Bearer ${t.tokens.editor}`, "content-type": "application/yaml" },
        payload: stringify(echoWorkflow(lb.url)),
      });
      assert.equal(yaml.statusCode, 201, yaml.body);
      assert.equal(yaml.json().id, item.id);
      assert.equal(yaml.json().version, 2);
      const got = await t.call("GET", `${base()}/workflows/echo?version=1`, { token: t.tokens.viewer });
      assert.equal(got.statusCode, 200, got.body);
      assert.equal(got.json().version, 1);
      assert.deepEqual(
        got.json().versions.map((v: { version: number }) => v.version),
        [2, 1],
      );
      const list = await t.call("GET", `${base()}/workflows`, { token: t.tokens.viewer });
      assert.ok(list.json().items.some((w: { id: string }) => w.id === item.id));
    });

    test("an invalid document is refused with every problem and its location", async () => {
      const doc = {
        title: "bad",
        description: "d",
        entrypoint: { ref: "a" },
        actions: [
          { ref: "a", action: "core.no_such_action", args: {} },
          { ref: "b", action: "core.http_request", args: { method: "FETCH" } },
          { ref: "c", action: "core.transform.reshape", args: { value: "${{ FN.no_such_function(1) }}" } },
        ],
      };
      const res = await deploy(doc);
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(errorCode(res), "workflow_invalid");
      const problems = res.json().error.details.problems as { action?: string; field?: string; message: string }[];
      assert.ok(problems.length >= 3, res.body);
      assert.ok(problems.some((p) => p.action === "a" && p.field === "action"));
      assert.ok(problems.some((p) => p.action === "b" && /invalid args/.test(p.message)));
      assert.ok(problems.some((p) => p.action === "c" && /no_such_function/.test(p.message)));
      const yamlError = await t.app.inject({
        method: "POST",
        url: `${base()}/workflows`,
        headers: { authorization: `Bearer ${t.tokens.editor}`, "content-type": "application/yaml" },
        payload: "title: [unclosed\n",
      });
      assert.equal(yamlError.statusCode, 422);
      assert.match(yamlError.json().error.details.problems[0].message, /not valid YAML.*line \d+/s);
    });

    test("run with a trigger and an environment, wait, read it back: the echoed secret is *** everywhere", async () => {
      const dep = await deploy(echoWorkflow(lb.url), "echo_run");
      const id = dep.json().id as string;
      const viewerRun = await t.call("POST", `${base()}/workflows/${id}/runs`, { token: t.tokens.viewer, body: {} });
      assert.equal(viewerRun.statusCode, 403);
      const res = await t.call("POST", `${base()}/workflows/${id}/runs?wait=true`, {
        token: t.tokens.editor,
        body: { trigger: { who: "ann", items: [1, 2, 3] }, environment: "prod" },
      });
      assert.equal(res.statusCode, 200, res.body);
      const run = res.json();
      assert.equal(run.status, "succeeded", res.body);
      assert.equal(run.environment, "prod");
      assert.equal(run.workflow_id, id);
      assert.equal(run.workflow_version, 1);
      assert.deepEqual(run.trigger, { who: "ann", items: [1, 2, 3] });
      assert.deepEqual(run.returns, { echoed: "Bearer ***", who: "ann" });
      assert.deepEqual(Object.keys(run.actions), ["call", "each"]);
      assert.equal(run.actions.call.status, "succeeded");
      assert.equal(run.actions.call.environment, "prod");
      assert.equal(run.actions.call.attempts, 1);
      assert.equal(run.actions.call.result.data.authorization, "Bearer ***");
      assert.equal(run.actions.each.result.length, 3);
      for (const r of run.actions.each.result) assert.equal(r.data.authorization, "Bearer ***");
      assert.ok(run.started_at && run.finished_at && run.duration_ms >= 0);

      const read = await t.call("GET", `${base()}/runs/${run.id}`, { token: t.tokens.viewer });
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json(), run);

      // Nowhere: the API bodies, the stored rows (every table, every file), the server log.
      const haystacks = [
        { where: "run response", data: res.body },
        { where: "read response", data: read.body },
        { where: "server log", data: t.logs.join("\n") },
        ...(await storeHaystacks(t.env)),
      ];
      const hunter = new LeakHunter(values);
      for (const { where, data } of haystacks) {
        const leaks = hunter.find(data);
        assert.equal(leaks.length, 0, `${where}: ${describeLeaks(leaks)}`);
      }
    });

    test("202 at once without wait; the run can be read while running and cancelled (editor); viewer may not cancel", async () => {
      const slow = {
        title: "slow",
        description: "waits on a server that never answers",
        entrypoint: { ref: "wait" },
        actions: [
          { ref: "wait", action: "core.http_request", args: { url: `${lb.url}/slow`, method: "GET", timeout: 120 } },
          { ref: "after", action: "core.transform.reshape", depends_on: ["wait"], args: { value: 1 } },
        ],
      };
      const id = (await deploy(slow, "slow")).json().id as string;
      const started = await t.call("POST", `${base()}/workflows/slow/runs`, { token: t.tokens.editor, body: {} });
      assert.equal(started.statusCode, 202, started.body);
      const runId = started.json().id as string;
      assert.equal(started.json().status, "running");
      assert.equal(started.json().workflow_id, id);
      while (lb.held.length === 0) await new Promise((r) => setTimeout(r, 10));
      const running = await t.call("GET", `${base()}/runs/${runId}`, { token: t.tokens.viewer });
      assert.equal(running.json().status, "running");
      const listed = await t.call("GET", `${base()}/runs?status=running`, { token: t.tokens.viewer });
      assert.ok(listed.json().items.some((r: { id: string }) => r.id === runId));
      assert.equal(
        (await t.call("POST", `${base()}/runs/${runId}/cancel`, { token: t.tokens.viewer })).statusCode,
        403,
      );
      const cancelled = await t.call("POST", `${base()}/runs/${runId}/cancel`, { token: t.tokens.editor });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal(cancelled.json().status, "cancelled");
      assert.equal(cancelled.json().reason, "cancelled_by_user");
      assert.equal(cancelled.json().error.code, "run_cancelled");
      assert.notEqual(cancelled.json().actions.after?.status, "succeeded");
      const audited = await t.coffer.audit.list({ limit: 100_000 });
      assert.ok(audited.some((e) => e.action === "run.start" && e.targetId === runId));
      assert.ok(
        audited.some((e) => e.action === "run.cancel" && e.targetId === runId && e.actor === "token:test editor"),
      );
      // Cancelling again answers with the stored run, unchanged.
      const again = await t.call("POST", `${base()}/runs/${runId}/cancel`, { token: t.tokens.editor });
      assert.equal(again.json().status, "cancelled");
    });

    test("runs list: newest first, filtered by status and workflow, paged by cursor; workflow runs; admin deletes", async () => {
      const doc = {
        title: "tiny",
        description: "d",
        entrypoint: { ref: "a" },
        actions: [{ ref: "a", action: "core.transform.reshape", args: { value: "${{ TRIGGER.n }}" } }],
        returns: "${{ ACTIONS.a.result }}",
      };
      const id = (await deploy(doc, "tiny")).json().id as string;
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const r = await t.call("POST", `${base()}/workflows/${id}/runs?wait=true`, {
          token: t.tokens.editor,
          body: { trigger: { n } },
        });
        assert.equal(r.json().returns, n);
        ids.push(r.json().id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `?workflow_id=${id}&status=succeeded&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
        const page = await t.call("GET", `${base()}/runs${q}`, { token: t.tokens.viewer });
        assert.equal(page.statusCode, 200, page.body);
        assert.ok(page.json().items.length <= 2);
        for (const item of page.json().items) assert.equal(item.actions, undefined);
        seen.push(...page.json().items.map((i: { id: string }) => i.id));
        cursor = page.json().next_cursor;
      } while (cursor);
      assert.deepEqual(seen, [...ids].reverse());
      const perWorkflow = await t.call("GET", `${base()}/workflows/tiny/runs?limit=3`, { token: t.tokens.viewer });
      assert.deepEqual(
        perWorkflow.json().items.map((i: { id: string }) => i.id),
        [...ids].reverse().slice(0, 3),
      );
      const failed = await t.call("GET", `${base()}/runs?workflow_id=${id}&status=failed`, { token: t.tokens.viewer });
      assert.deepEqual(failed.json().items, []);

      assert.equal((await t.call("DELETE", `${base()}/workflows/${id}`, { token: t.tokens.editor })).statusCode, 403);
      assert.equal((await t.call("DELETE", `${base()}/workflows/${id}`, { token: t.tokens.admin })).statusCode, 204);
      assert.equal((await t.call("GET", `${base()}/workflows/${id}`, { token: t.tokens.viewer })).statusCode, 404);
      // Its runs stay readable.
      assert.equal((await t.call("GET", `${base()}/runs/${ids[0]}`, { token: t.tokens.viewer })).statusCode, 200);
    });

    test("200 concurrent runs through the API, each resolving a secret: 0 errors", async () => {
      const doc = {
        title: "concurrent",
        description: "d",
        entrypoint: { ref: "a" },
        actions: [
          {
            ref: "a",
            action: "core.transform.reshape",
            args: { value: { n: "${{ TRIGGER.n }}", token: "${{ SECRETS.api.TOKEN }}" } },
          },
        ],
        returns: "${{ ACTIONS.a.result }}",
      };
      const id = (await deploy(doc, "concurrent")).json().id as string;
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, n) =>
          t.call("POST", `${base()}/workflows/${id}/runs?wait=true`, {
            token: t.tokens.editor,
            body: { trigger: { n } },
          }),
        ),
      );
      const problems = responses.filter((r) => r.statusCode !== 200 || r.json().status !== "succeeded");
      assert.deepEqual(
        problems.map((r) => r.body.slice(0, 300)),
        [],
      );
      for (const [n, r] of responses.entries()) assert.deepEqual(r.json().returns, { n, token: "***" });
      const page = await t.call("GET", `${base()}/runs?workflow_id=${id}&limit=1000`, { token: t.tokens.viewer });
      assert.equal(page.json().items.length, 200);
    });
  });
}
