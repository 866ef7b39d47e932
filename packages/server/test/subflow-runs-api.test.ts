// Subflows and error handlers over the API with deployed workflows: each child is a stored run
// with its parent; a canary secret echoed inside a subflow and a looped subflow is masked in the
// stored rows, the API responses and the server log; cancelling a parent cancels a waiting child.
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { canary, describeLeaks, LeakHunter, storeHaystacks, testDialects } from "@coffer/core/testing";
import { startTestApp, type TestApp } from "../src/http/testing.js";

interface RunDoc {
  id: string;
  status: string;
  reason: string | null;
  returns: unknown;
  trigger: unknown;
  error: { code: string; message: string } | null;
  parent_run_id: string | null;
  parent_kind: string | null;
  parent_action_ref: string | null;
  loop_index: number | null;
  depth: number;
  workflow_id: string | null;
  actions: Record<string, { status: string; result?: unknown }>;
}

for (const dialect of await testDialects("subflow runs API")) {
  describe(`subflows and error handlers as stored runs (${dialect})`, () => {
    let t: TestApp;
    let server: Server;
    let url: string;
    const held: ServerResponse[] = [];
    const secret = canary("subflow");
    const base = "/api/v1/workspaces/default";

    before(async () => {
      server = createServer((req, res) => {
        if (req.url?.startsWith("/slow")) {
          held.push(res);
          return;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      t = await startTestApp(dialect, {}, { runs: { engine: { retryBaseDelayMs: 1 } } });
      await t.coffer.secrets.create(
        t.workspaceId,
        { name: "api", keys: [{ key: "TOKEN", value: secret }] },
        { actor: "test" },
      );
    });
    after(async () => {
      await t?.close();
      for (const r of held) r.destroy();
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    const deploy = async (alias: string, doc: Record<string, unknown>) => {
      const res = await t.call("POST", `${base}/workflows`, {
        token: t.tokens.editor,
        body: { definition: { description: "d", entrypoint: {}, ...doc }, alias },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const runAndWait = async (id: string, body: unknown = {}) => {
      const res = await t.call("POST", `${base}/workflows/${id}/runs?wait=true`, { token: t.tokens.editor, body });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as RunDoc;
    };
    const children = async (parent: string) => {
      const res = await t.call("GET", `${base}/runs?parent_run_id=${parent}`, { token: t.tokens.viewer });
      return (res.json().items as RunDoc[]).sort((a, b) => (a.loop_index ?? -1) - (b.loop_index ?? -1));
    };

    test("single and looped subflows: children are stored runs of their parent, the echoed secret is *** everywhere", async () => {
      await deploy("echo_child", {
        title: "echo child",
        actions: [
          {
            ref: "call",
            action: "core.http_request",
            args: { url: `${url}/echo`, method: "GET", headers: { Authorization: "Bearer ${{ SECRETS.api.TOKEN }}" } },
          },
        ],
        returns: { auth: "${{ ACTIONS.call.result.data.authorization }}", i: "${{ TRIGGER.i }}" },
      });
      const parentId = await deploy("parent", {
        title: "parent",
        actions: [
          {
            ref: "single",
            action: "core.workflow.execute",
            args: { workflow_alias: "echo_child", wait_strategy: "wait", trigger_inputs: { i: -1 } },
          },
          {
            ref: "loop",
            action: "core.workflow.execute",
            for_each: "${{ for var.i in [0, 1] }}",
            args: { workflow_alias: "echo_child", trigger_inputs: { i: "${{ var.i }}" } },
          },
        ],
        returns: { single: "${{ ACTIONS.single.result }}", loop: "${{ ACTIONS.loop.result }}" },
      });
      const run = await runAndWait(parentId);
      assert.equal(run.status, "succeeded", JSON.stringify(run));
      assert.deepEqual(run.returns, {
        single: { auth: "Bearer ***", i: -1 },
        loop: [
          { auth: "Bearer ***", i: 0 },
          { auth: "Bearer ***", i: 1 },
        ],
      });
      const kids = await children(run.id);
      assert.equal(kids.length, 3);
      for (const k of kids) {
        assert.equal(k.parent_kind, "subflow");
        assert.equal(k.status, "succeeded");
        assert.equal(k.depth, 1);
        assert.match(String(k.workflow_id), /^wf_/);
      }
      assert.deepEqual(
        kids.map((k) => [k.parent_action_ref, k.loop_index]),
        [
          ["single", null],
          ["loop", 0],
          ["loop", 1],
        ],
      );
      const childDoc = (
        await t.call("GET", `${base}/runs/${kids[1]!.id}`, { token: t.tokens.viewer })
      ).json() as RunDoc;
      assert.deepEqual(childDoc.actions.call?.result && (childDoc.actions.call.result as { data: unknown }).data, {
        authorization: "Bearer ***",
      });
      const parentRead = await t.call("GET", `${base}/runs/${run.id}`, { token: t.tokens.viewer });
      const hunter = new LeakHunter({ secret });
      for (const { where, data } of [
        { where: "parent read", data: parentRead.body },
        { where: "child read", data: JSON.stringify(childDoc) },
        { where: "server log", data: t.logs.join("\n") },
        ...(await storeHaystacks(t.env)),
      ]) {
        const leaks = hunter.find(data);
        assert.equal(leaks.length, 0, `${where}: ${describeLeaks(leaks)}`);
      }
    });

    test("a detached subflow's result is its stored run's id; it finishes on its own", async () => {
      await deploy("quick", {
        title: "quick",
        actions: [{ ref: "a", action: "core.transform.reshape", args: { value: 5 } }],
        returns: "${{ ACTIONS.a.result }}",
      });
      const id = await deploy("detacher", {
        title: "detacher",
        actions: [{ ref: "go", action: "core.workflow.execute", args: { workflow_alias: "quick" } }],
        returns: "${{ ACTIONS.go.result }}",
      });
      const run = await runAndWait(id);
      assert.equal(run.status, "succeeded");
      const childId = String(run.returns).split("/").pop() ?? "";
      let child: RunDoc | undefined;
      for (let i = 0; i < 200; i++) {
        const res = await t.call("GET", `${base}/runs/${childId}`, { token: t.tokens.viewer });
        if (res.statusCode === 200 && res.json().status !== "running") {
          child = res.json();
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(child, `no stored run ${childId} (result ${JSON.stringify(run.returns)})`);
      assert.equal(child.status, "succeeded");
      assert.equal(child.returns, 5);
      assert.equal(child.parent_run_id, run.id);
    });

    test("an error handler runs when the workflow fails: a stored child of kind error_handler; the parent stays failed", async () => {
      const handlerId = await deploy("on_failure", {
        title: "handler",
        actions: [{ ref: "note", action: "core.transform.reshape", args: { value: "${{ TRIGGER.orig_wf_id }}" } }],
        returns: "${{ ACTIONS.note.result }}",
      });
      const failingId = await deploy("failing", {
        title: "failing",
        error_handler: "on_failure",
        actions: [
          {
            ref: "needs",
            action: "core.http_request",
            environment: "nowhere",
            args: { url: `${url}/echo`, method: "GET", headers: { Authorization: "Bearer ${{ SECRETS.api.TOKEN }}" } },
          },
        ],
      });
      const run = await runAndWait(failingId);
      assert.equal(run.status, "failed");
      const kids = await children(run.id);
      assert.equal(kids.length, 1);
      assert.equal(kids[0]!.parent_kind, "error_handler");
      assert.equal(kids[0]!.workflow_id, handlerId);
      assert.equal(kids[0]!.status, "succeeded");
      assert.equal(kids[0]!.returns, failingId);
      assert.equal((kids[0]!.trigger as { orig_wf_id: string }).orig_wf_id, failingId);
    });

    test("cancelling a parent that waits on a slow child cancels both; both are stored cancelled", async () => {
      await deploy("slow_child", {
        title: "slow child",
        actions: [
          { ref: "wait", action: "core.http_request", args: { url: `${url}/slow`, method: "GET", timeout: 120 } },
        ],
      });
      const id = await deploy("slow_parent", {
        title: "slow parent",
        actions: [
          {
            ref: "call",
            action: "core.workflow.execute",
            args: { workflow_alias: "slow_child", wait_strategy: "wait" },
          },
        ],
      });
      const before = held.length;
      const started = await t.call("POST", `${base}/workflows/${id}/runs`, { token: t.tokens.editor, body: {} });
      assert.equal(started.statusCode, 202);
      const parent = started.json().id as string;
      while (held.length === before) await new Promise((r) => setTimeout(r, 10));
      const cancelled = await t.call("POST", `${base}/runs/${parent}/cancel`, { token: t.tokens.editor });
      assert.equal(cancelled.json().status, "cancelled", cancelled.body);
      let kids: RunDoc[] = [];
      for (let i = 0; i < 200; i++) {
        kids = await children(parent);
        if (kids.length === 1 && kids[0]!.status !== "running") break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(kids[0]?.status, "cancelled");
      assert.equal(kids[0]?.reason, "cancelled_with_parent");
    });
  });
}
