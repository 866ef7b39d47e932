// `npm run bench -- executor`: the executor's own cost, each figure against a floor measured in
// this same run. Ratio = our time / the floor's time (the floor does less work).
//  - a no-op action through runAction vs calling its handler directly (target: ≤ 1 ms a run);
//  - an action reading 10 secrets (one read, decrypt, use-audit, masker, evaluation) vs raw
//    better-sqlite3 reading and AES-GCM-opening the same 10 values.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, openCoffer } from "@coffer/core";
import { type ActionDefinition, defineAction, z } from "@coffer/sdk";
import Sqlite from "better-sqlite3";
import { createExecutor } from "../src/executor/executor.js";
import { createMasker } from "../src/masking/masker.js";
import { createRegistry } from "../src/registry/registry.js";

/** Mean milliseconds per call of `fn`, over about `ms` milliseconds after a warm-up. */
async function msPerCall(fn: () => Promise<unknown> | unknown, ms = 1500): Promise<number> {
  for (let i = 0; i < 100; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return (performance.now() - start) / n;
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`);

const noop = defineAction({
  namespace: "bench",
  name: "noop",
  title: "No-op",
  args: z.object({}),
  handler: () => null,
});
const readTen = defineAction({
  namespace: "bench",
  name: "read_ten",
  title: "Reads ten secrets",
  args: z.record(z.string(), z.string()),
  handler: (args) => Object.keys(args).length,
});

const home = mkdtempSync(join(tmpdir(), "coffer-bench-executor-"));
try {
  const coffer = await openCoffer(loadConfig({ COFFER_HOME: home, COFFER_LOG_LEVEL: "silent" }));
  await coffer.bootstrap({ actor: "bench" });
  const ws = (await coffer.workspaces.resolve("default")).id;
  const values: string[] = [];
  for (let i = 0; i < 10; i++) {
    const value = randomBytes(24).toString("hex");
    values.push(value);
    await coffer.secrets.create(ws, { name: `svc_${i}`, keys: [{ key: "API_KEY", value }] }, { actor: "bench" });
  }
  const registry = await createRegistry({ builtins: [noop, readTen] as unknown as ActionDefinition[], paths: [] });
  const executor = createExecutor({
    registry,
    resolution: coffer.resolution,
    logger: coffer.logger,
    config: coffer.config,
    createMasker,
    runCustomAction: async () => ({ ok: true, result: null }),
  });
  const actor = { actor: "bench" };

  // 1. overhead of a no-op action
  const floorNoop = await msPerCall(() => noop.handler({}, undefined as never));
  const oursNoop = await msPerCall(() =>
    executor.runAction({ workspaceId: ws, actionId: "bench.noop", args: {}, actor }),
  );
  console.log(
    `no-op action through the executor: ${fmt(oursNoop)} a run vs calling its handler ${fmt(floorNoop)} → overhead ${fmt(oursNoop - floorNoop)} (target ≤ 1 ms: ${oursNoop - floorNoop <= 1 ? "met" : "MISSED"})`,
  );

  // 2. resolving 10 secrets for an action vs the store floor
  const args: Record<string, string> = {};
  for (let i = 0; i < 10; i++) args[`k${i}`] = `\${{ SECRETS.svc_${i}.API_KEY }}`;
  const oursTen = await msPerCall(() =>
    executor.runAction({ workspaceId: ws, actionId: "bench.read_ten", args, actor }),
  );

  const resolveOnly = await msPerCall(() =>
    coffer.resolution.resolveForRun({
      workspaceId: ws,
      environment: "default",
      secretNames: Object.keys(args).map((_, i) => `svc_${i}`),
      actor,
    }),
  );
  const masker = await msPerCall(() => createMasker(values));

  const floorDb = new Sqlite(join(home, "floor.db"));
  floorDb.pragma("journal_mode = WAL");
  floorDb.exec("create table s (name text primary key, iv blob, tag blob, ct blob)");
  const key = randomBytes(32);
  const insert = floorDb.prepare("insert into s (name, iv, tag, ct) values (?, ?, ?, ?)");
  values.forEach((value, i) => {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", key, iv);
    const ct = Buffer.concat([c.update(JSON.stringify({ API_KEY: value }), "utf8"), c.final()]);
    insert.run(`svc_${i}`, iv, c.getAuthTag(), ct);
  });
  const names = values.map((_, i) => `svc_${i}`);
  const select = floorDb.prepare(`select iv, tag, ct from s where name in (${names.map(() => "?").join(",")})`);
  const floorTen = await msPerCall(() => {
    const rows = select.all(...names) as { iv: Buffer; tag: Buffer; ct: Buffer }[];
    return rows.map((row) => {
      const d = createDecipheriv("aes-256-gcm", key, row.iv);
      d.setAuthTag(row.tag);
      return JSON.parse(Buffer.concat([d.update(row.ct), d.final()]).toString("utf8"));
    });
  });
  console.log(
    `action reading 10 secrets: ${fmt(oursTen)} a run vs store floor (one select + 10 AES-GCM opens) ${fmt(floorTen)} → ${(oursTen / floorTen).toFixed(1)}× the floor's time (ours also writes 10 use-audit events and builds the masker)`,
  );
  console.log(
    `  of which core resolution (one read, 10 decrypts, one audit batch) ${fmt(resolveOnly)}, building the masker over 10 values ${fmt(masker)}`,
  );
  floorDb.close();
  await registry.close();
  await coffer.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
