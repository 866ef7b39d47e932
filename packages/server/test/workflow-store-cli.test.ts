// Deployed workflows and stored runs through the CLI, and a run interrupted by `kill -9` of a
// real `coffer serve`: after the restart it is `failed` with reason `interrupted`.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestEnvironment, type TestEnvironment, testDialects } from "@coffer/core/testing";
import { stringify } from "yaml";
import { runCli, startServerProcess } from "./support.js";

const tiny = (title: string) => ({
  title,
  description: "d",
  entrypoint: { ref: "a", expects: { n: { type: "int", default: 0 } } },
  actions: [{ ref: "a", action: "core.transform.reshape", args: { value: "${{ TRIGGER.n }}" } }],
  returns: "${{ ACTIONS.a.result }}",
});

for (const dialect of await testDialects("workflow store CLI")) {
  describe(`coffer workflow deploy/list/runs/show-run (${dialect})`, () => {
    let env: TestEnvironment;
    let file: string;
    let slowServer: Server;
    let slowUrl: string;
    const held: ServerResponse[] = [];
    before(async () => {
      env = await createTestEnvironment(dialect);
      file = join(env.home, "tiny.yml");
      writeFileSync(file, stringify(tiny("tiny one")));
      slowServer = createServer((_req, res) => held.push(res));
      await new Promise<void>((resolve) => slowServer.listen(0, "127.0.0.1", resolve));
      slowUrl = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}`;
    });
    after(async () => {
      for (const r of held) r.destroy();
      slowServer.closeAllConnections();
      await new Promise((resolve) => slowServer.close(resolve));
      await env.cleanup();
    });
    const cli = (args: string[]) => runCli(env.env, args);

    test("deploy --json is {id, alias, version}; again under the alias is version 2; list shows it", async () => {
      const first = await cli(["workflow", "deploy", file, "--alias", "tiny", "--json"]);
      assert.equal(first.code, 0, first.stderr);
      const a = JSON.parse(first.stdout);
      assert.deepEqual(Object.keys(a).sort(), ["alias", "id", "version"]);
      assert.match(a.id, /^wf_/);
      assert.equal(a.version, 1);
      const second = await cli(["workflow", "deploy", file, "--alias", "tiny", "--json"]);
      assert.deepEqual(JSON.parse(second.stdout), { id: a.id, alias: "tiny", version: 2 });
      const list = await cli(["workflow", "list", "--json"]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(
        JSON.parse(list.stdout).items.map((w: { id: string; version: number }) => [w.id, w.version]),
        [[a.id, 2]],
      );
      const human = await cli(["workflow", "list"]);
      assert.match(human.stdout, new RegExp(`${a.id}\\s+tiny\\s+v2`));
      const bad = join(env.home, "bad.yml");
      writeFileSync(bad, stringify({ ...tiny("bad"), actions: [{ ref: "a", action: "core.nope", args: {} }] }));
      const refused = await cli(["workflow", "deploy", bad]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /no action core\.nope/);
    });

    test("run --alias and run FILE are stored (the file run without workflow id); runs and show-run read them", async () => {
      const byAlias = await cli(["workflow", "run", "--alias", "tiny", "--trigger", '{"n": 7}', "--json"]);
      assert.equal(byAlias.code, 0, byAlias.stderr);
      const deployedRun = JSON.parse(byAlias.stdout);
      assert.equal(deployedRun.status, "succeeded");
      assert.equal(deployedRun.returns, 7);
      assert.match(deployedRun.workflow_id, /^wf_/);
      assert.equal(deployedRun.workflow_version, 2);
      assert.deepEqual(deployedRun.trigger, { n: 7 });
      assert.equal(deployedRun.actions.a.status, "succeeded");
      assert.ok(deployedRun.started_at && deployedRun.finished_at);

      const byFile = await cli(["workflow", "run", file, "--env", "prod", "--json"]);
      assert.equal(byFile.code, 0, byFile.stderr);
      const fileRun = JSON.parse(byFile.stdout);
      assert.equal(fileRun.workflow_id, null);
      assert.equal(fileRun.environment, "prod");

      const all = JSON.parse((await cli(["workflow", "runs", "--json"])).stdout);
      assert.deepEqual(
        all.items.slice(0, 2).map((r: { id: string }) => r.id),
        [fileRun.id, deployedRun.id],
      );
      const ofTiny = JSON.parse((await cli(["workflow", "runs", "tiny", "--json"])).stdout);
      assert.deepEqual(
        ofTiny.items.map((r: { id: string }) => r.id),
        [deployedRun.id],
      );
      const shown = await cli(["workflow", "show-run", deployedRun.id, "--json"]);
      assert.deepEqual(JSON.parse(shown.stdout), deployedRun);
      const text = await cli(["workflow", "show-run", deployedRun.id]);
      assert.match(text.stdout, /✓ a {2}succeeded/);
      const missing = await cli(["workflow", "run", "--id", "wf_nope", "--json"]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /workflow_not_found|No workflow/);
      const both = await cli(["workflow", "run", file, "--alias", "tiny"]);
      assert.equal(both.code, 2);
    });

    test("a run in flight when `coffer serve` is killed with SIGKILL is failed/interrupted after the restart", async () => {
      const slow = join(env.home, "slow.yml");
      writeFileSync(
        slow,
        stringify({
          title: "slow",
          description: "d",
          entrypoint: { ref: "wait" },
          actions: [
            { ref: "wait", action: "core.http_request", args: { url: `${slowUrl}/slow`, method: "GET", timeout: 300 } },
          ],
        }),
      );
      const deployed = JSON.parse((await cli(["workflow", "deploy", slow, "--alias", "slow", "--json"])).stdout);
      const token = readFileSync(join(env.home, "admin.token"), "utf8").trim();
      const server = await startServerProcess(env.env);
      let restarted: Awaited<ReturnType<typeof startServerProcess>> | undefined;
      try {
        const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
        const res = await fetch(`${server.url}/api/v1/workspaces/default/workflows/${deployed.id}/runs`, {
          method: "POST",
          headers,
          body: "{}",
        });
        assert.equal(res.status, 202);
        const runId = ((await res.json()) as { id: string }).id;
        const before = held.length;
        while (held.length === before) await new Promise((r) => setTimeout(r, 20));
        server.process.kill("SIGKILL");
        await new Promise((resolve) => server.process.once("exit", resolve));

        restarted = await startServerProcess(env.env);
        const read = await fetch(`${restarted.url}/api/v1/workspaces/default/runs/${runId}`, { headers });
        const doc = (await read.json()) as { status: string; reason: string; error: { code: string } };
        assert.equal(doc.status, "failed");
        assert.equal(doc.reason, "interrupted");
        assert.equal(doc.error.code, "run_interrupted");
        assert.match(restarted.stderr(), /interrupted/);
      } finally {
        if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill("SIGKILL");
        await restarted?.stop();
      }
    });
  });
}
