// `coffer serve`: where it listens comes from --port/--host or COFFER_PORT/COFFER_HOST, the start-up
// message names the address and the admin token's file (never the token), and SIGTERM stops it
// cleanly (exit 0, port released).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestEnvironment, type TestEnvironment } from "@coffer/core/testing";
import { runCli, startServerProcess } from "./support.js";

describe("coffer serve (sqlite)", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite");
  });
  after(async () => env.cleanup());

  test("the start-up message names the address and the token file, never the token; SIGTERM exits 0", async () => {
    const server = await startServerProcess(env.env);
    const tokenFile = join(env.home, "admin.token");
    const token = readFileSync(tokenFile, "utf8").trim();
    assert.match(server.stderr(), /listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(server.stderr().includes(tokenFile));
    const health = await fetch(`${server.url}/api/v1/health`);
    assert.equal(health.status, 200);
    const who = await fetch(`${server.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(who.status, 200);
    const code = await server.stop();
    assert.equal(code, 0);
    assert.match(server.stderr(), /stopped/);
    assert.ok(!`${server.stdout()}${server.stderr()}`.includes(token));
    await assert.rejects(fetch(`${server.url}/api/v1/health`));
  });

  test("COFFER_PORT and COFFER_HOST choose the address (port 0: the one bound is printed)", async () => {
    const server = await startServerProcess(env.env, { COFFER_PORT: "0", COFFER_HOST: "127.0.0.1" }, []);
    const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(server.stderr())?.[1]);
    assert.ok(port > 0, server.stderr());
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status, 200);
    assert.equal(await server.stop(), 0);
  });

  test("a bad --port is refused with a message naming it", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(
      process.execPath,
      [join(process.cwd(), "packages/server/bin/coffer.cjs"), "serve", "--port", "http"],
      {
        env: { PATH: process.env.PATH ?? "", ...env.env },
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--port must be a whole number/);
  });

  test("a busy port says so and how to choose another, exit 1 with code port_in_use", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", () => resolve()));
    const port = (busy.address() as { port: number }).port;
    try {
      const viaFlag = await runCli(env.env, ["serve", "--port", String(port), "--host", "127.0.0.1"]);
      assert.equal(viaFlag.code, 1, viaFlag.stderr);
      assert.match(viaFlag.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`, "i"));
      assert.match(viaFlag.stderr, /--port/);
      assert.match(viaFlag.stderr, /COFFER_PORT/);
      assert.match(viaFlag.stderr, /port_in_use/);
      assert.doesNotMatch(viaFlag.stderr, /internal error|EADDRINUSE/);

      const viaEnv = await runCli({ ...env.env, COFFER_PORT: String(port), COFFER_HOST: "127.0.0.1" }, ["serve"]);
      assert.equal(viaEnv.code, 1, viaEnv.stderr);
      assert.match(viaEnv.stderr, /already in use/);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
