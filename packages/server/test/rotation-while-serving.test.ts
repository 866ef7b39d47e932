// `coffer keys rotate` runs in another process while a server answers reads: no read fails, no
// secret shows as corrupted, and afterwards every version is wrapped by the new key.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "@coffer/core";
import { canary, createTestEnvironment, type TestEnvironment, testDialects } from "@coffer/core/testing";
import { runCli, type ServerProcess, startServerProcess } from "./support.js";

const SECRETS = 120;

for (const dialect of await testDialects("key rotation while serving")) {
  describe(`key rotation while a server answers reads (${dialect})`, () => {
    let env: TestEnvironment;
    let server: ServerProcess;
    let coffer: Coffer;
    let processEnv: Record<string, string>;
    let token: string;
    const ids: string[] = [];

    before(async () => {
      env = await createTestEnvironment(dialect);
      // PostgreSQL: keys come from the environment; the new key goes first in every process
      // before rotating (the documented procedure). SQLite: the key file, which rotation extends.
      processEnv =
        dialect === "postgres"
          ? {
              ...env.env,
              COFFER_ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 9).toString("base64")},${env.env.COFFER_ENCRYPTION_KEYS}`,
            }
          : { ...env.env };
      coffer = await env.open(
        dialect === "postgres" ? { COFFER_ENCRYPTION_KEYS: String(env.env.COFFER_ENCRYPTION_KEYS) } : {},
      );
      await coffer.bootstrap({ actor: "test" });
      const ws = await coffer.workspaces.resolve("default");
      for (let i = 0; i < SECRETS; i++) {
        const item = await coffer.secrets.create(
          ws.id,
          { name: `rot_${i}`, keys: [{ key: "K", value: canary(`rot${i}`) }] },
          { actor: "test" },
        );
        ids.push(item.id);
      }
      token = readFileSync(join(env.home, "admin.token"), "utf8").trim();
      server = await startServerProcess(processEnv);
    });
    after(async () => {
      await server?.stop();
      await coffer?.close();
      await env?.cleanup();
    });

    test("every read during the rotation succeeds and reports the secret as ok", async () => {
      let stop = false;
      const failures: string[] = [];
      let reads = 0;
      const reader = async (n: number) => {
        let i = n;
        while (!stop) {
          i = (i + 7) % ids.length;
          const path =
            i % 5 === 0
              ? "/api/v1/workspaces/default/secrets?limit=50"
              : `/api/v1/workspaces/default/secrets/${ids[i]}`;
          try {
            const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
            const body = (await res.json()) as { status?: string; items?: { status: string }[] };
            if (res.status !== 200) failures.push(`${path}: ${res.status}`);
            else {
              const statuses = body.items ? body.items.map((x) => x.status) : [body.status];
              if (statuses.some((s) => s !== "ok")) failures.push(`${path}: corrupted`);
            }
          } catch (error) {
            failures.push(`${path}: ${(error as Error).name}`);
          }
          reads++;
        }
      };
      const readers = [0, 1, 2, 3].map(reader);
      const readsBefore = reads;
      const rotation = await runCli({ ...processEnv, COFFER_ROTATION_BATCH_SIZE: "5" }, ["keys", "rotate", "--json"]);
      const readsDuring = reads - readsBefore;
      // A few more reads after the switch, all served with the new key.
      const target = reads + 50;
      while (reads < target) await new Promise((r) => setTimeout(r, 5));
      stop = true;
      await Promise.all(readers);

      assert.equal(rotation.code, 0, rotation.stderr);
      const result = JSON.parse(rotation.stdout) as { rewrapped: number; unreadable: number; activeKid: string };
      assert.equal(result.rewrapped, SECRETS);
      assert.equal(result.unreadable, 0);
      assert.ok(readsDuring > 0, "the server answered reads while the rotation ran");
      assert.deepEqual(failures, []);

      const status = await runCli(processEnv, ["keys", "status", "--json"]);
      const rows = JSON.parse(status.stdout) as { kid: string; versions: number; active: boolean }[];
      assert.deepEqual(
        rows.filter((r) => r.versions > 0).map((r) => [r.kid, r.active]),
        [[result.activeKid, true]],
      );
    });
  });
}
