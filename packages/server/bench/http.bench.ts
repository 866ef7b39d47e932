// `npm run bench -- http`: Coffer's read path, bulk create/list, the HTTP API under load and CLI
// start time, each printed as a ratio against a floor measured in this same run.
// Ratio = our speed / the floor's speed (1× = as fast as the floor; the floor does less work).
import { spawn, spawnSync } from "node:child_process";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Coffer, loadConfig, openCoffer } from "@coffer/core";
import Sqlite from "better-sqlite3";
import { startServer } from "../src/http/server.js";

const root = process.cwd();
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ratio = (ours: number, floor: number) => `${(ours / floor).toFixed(2)}×`;

function line(label: string, ours: string, floorLabel: string, floor: string, r: string) {
  console.log(`${label}: ${ours} vs ${floorLabel} ${floor} → ${r}`);
}

async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
async function opsPerSecond(fn: () => Promise<unknown> | unknown, ms = 1500): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

// ---- floor store: raw better-sqlite3 with one AES-GCM value per row ----------------------------

function openFloor(dir: string) {
  const db = new Sqlite(join(dir, "floor.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("create table s (id text primary key, name text unique, iv blob, tag blob, ct blob)");
  const key = randomBytes(32);
  const insert = db.prepare("insert into s (id, name, iv, tag, ct) values (?, ?, ?, ?, ?)");
  const seal = (value: string) => {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", key, iv);
    const ct = Buffer.concat([c.update(value, "utf8"), c.final()]);
    return { iv, tag: c.getAuthTag(), ct };
  };
  const open = (row: { iv: Buffer; tag: Buffer; ct: Buffer }) => {
    const d = createDecipheriv("aes-256-gcm", key, row.iv);
    d.setAuthTag(row.tag);
    return Buffer.concat([d.update(row.ct), d.final()]).toString("utf8");
  };
  return {
    db,
    create(id: string, name: string, value: string) {
      const s = seal(value);
      db.transaction(() => insert.run(id, name, s.iv, s.tag, s.ct)).immediate();
    },
    open,
  };
}

async function benchRead(coffer: Coffer, workspaceId: string, dir: string) {
  const names = Array.from({ length: 10 }, (_, i) => `read_${i}`);
  const floor = openFloor(dir);
  for (const name of names) {
    await coffer.secrets.create(
      workspaceId,
      { name, keys: [{ key: "API_KEY", value: randomBytes(24).toString("hex") }] },
      { actor: "bench" },
    );
    floor.create(name, name, JSON.stringify({ API_KEY: randomBytes(24).toString("hex") }));
  }
  const select = floor.db.prepare(`select iv, tag, ct from s where name in (${names.map(() => "?").join(",")})`);
  const floorOps = await opsPerSecond(() => {
    for (const row of select.all(...names) as { iv: Buffer; tag: Buffer; ct: Buffer }[]) floor.open(row);
  });
  const ours = await opsPerSecond(async () => {
    const resolved = await coffer.resolution.resolveForRun({
      workspaceId,
      environment: "default",
      secretNames: names,
      actor: { actor: "bench" },
    });
    if (resolved.secrets.size !== 10) throw new Error("resolve lost a secret");
  });
  floor.db.close();
  line(
    "resolve 10 secrets for a run (resolveForRun: read, decrypt, use-audit; SQLite)",
    `${fmt(ours)} ops/s`,
    "raw better-sqlite3 select + one AES-GCM decrypt each",
    `${fmt(floorOps)} ops/s`,
    ratio(ours, floorOps),
  );
}

async function benchBulk(coffer: Coffer, workspaceId: string, dir: string) {
  const N = 10_000;
  mkdirSync(join(dir, "bulk"), { recursive: true });
  const floor = openFloor(join(dir, "bulk"));
  const floorCreate = await timeIt(() => {
    for (let i = 0; i < N; i++)
      floor.create(`f${i}`, `bulk_${i}`, JSON.stringify({ K: randomBytes(16).toString("hex") }));
  });
  const floorList = await timeIt(() => {
    let n = 0;
    for (const row of floor.db.prepare("select iv, tag, ct from s order by name").iterate() as Iterable<{
      iv: Buffer;
      tag: Buffer;
      ct: Buffer;
    }>) {
      floor.open(row);
      n++;
    }
    return n;
  });
  floor.db.close();
  const create = await timeIt(async () => {
    for (let i = 0; i < N; i++) {
      await coffer.secrets.create(
        workspaceId,
        { name: `bulk_${i}`, environment: "bulk", keys: [{ key: "K", value: randomBytes(16).toString("hex") }] },
        { actor: "bench" },
      );
    }
  });
  const list = await timeIt(async () => {
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await coffer.secrets.list(workspaceId, {
        environment: "bulk",
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      n += page.items.length;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return n;
  });
  if (list.result !== N || floorList.result !== N) throw new Error("list count mismatch");
  const perSec = (ms: number) => (N * 1000) / ms;
  line(
    `create ${fmt(N)} secrets (one transaction each, with audit)`,
    `${fmt(perSec(create.ms))} secrets/s`,
    "raw better-sqlite3 insert + AES-GCM, one transaction each",
    `${fmt(perSec(floorCreate.ms))} rows/s`,
    ratio(perSec(create.ms), perSec(floorCreate.ms)),
  );
  line(
    `list ${fmt(N)} secrets (pages of 1000, status checked by decryption)`,
    `${fmt(perSec(list.ms))} items/s`,
    "raw better-sqlite3 select-all + AES-GCM decrypt",
    `${fmt(perSec(floorList.ms))} rows/s`,
    ratio(perSec(list.ms), perSec(floorList.ms)),
  );
}

interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
}

/** autocannon in a second process, loopback only. */
function autocannon(url: string, headers: Record<string, string>, seconds = 3): Promise<AutocannonResult> {
  const args = [join(root, "node_modules/autocannon/autocannon.js"), "-c", "32", "-d", String(seconds), "--json"];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}=${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      resolve(JSON.parse(out) as AutocannonResult);
    });
  });
}

async function benchHttp(coffer: Coffer, workspaceId: string, token: string) {
  const item = await coffer.secrets.create(
    workspaceId,
    {
      name: "http_bench",
      description: "bench",
      tags: { a: "b" },
      keys: [{ key: "API_KEY", value: randomBytes(24).toString("hex") }],
    },
    { actor: "bench" },
  );
  const server = await startServer(coffer.config, {
    coffer,
    port: 0,
    host: "127.0.0.1",
    handleSignals: false,
    logger: false,
  });
  const fixed = JSON.stringify(
    (await (
      await fetch(`${server.url}/api/v1/workspaces/default/secrets/${item.id}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as object,
  );
  const bare = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(fixed);
  });
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
  const barePort = (bare.address() as AddressInfo).port;
  try {
    const oursUrl = `${server.url}/api/v1/workspaces/default/secrets/${item.id}`;
    const oursHeaders = { authorization: `Bearer ${token}` };
    // A short warm-up of each first, so both are measured at steady state (JIT, statement caches).
    await autocannon(`http://127.0.0.1:${barePort}/`, {}, 1);
    const floor = await autocannon(`http://127.0.0.1:${barePort}/`, {});
    await autocannon(oursUrl, oursHeaders, 1);
    const ours = await autocannon(oursUrl, oursHeaders);
    if (ours.non2xx > 0 || ours.errors > 0)
      throw new Error(`GET /secrets/{id} failed under load: ${ours.non2xx} non-2xx, ${ours.errors} errors`);
    line(
      "GET /secrets/{id} (auth + one read + decrypt, autocannon -c 32, 3 s after 1 s warm-up)",
      `${fmt(ours.requests.average)} req/s`,
      "bare node:http fixed JSON",
      `${fmt(floor.requests.average)} req/s`,
      ratio(ours.requests.average, floor.requests.average),
    );
  } finally {
    await new Promise<void>((r) => bare.close(() => r()));
    await server.close();
  }
}

function benchStartup() {
  const runs = 20;
  const floorArgs = ["-e", "0"];
  const ourArgs = [join(root, "packages/server/bin/coffer.js"), "--version"];
  const once = (args: string[]) => {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed`);
    return performance.now() - start;
  };
  once(floorArgs);
  once(ourArgs); // warm the file cache
  // Interleaved, so a change in machine load hits both alike.
  let floor = 0;
  let ours = 0;
  for (let i = 0; i < runs; i++) {
    floor += once(floorArgs);
    ours += once(ourArgs);
  }
  floor /= runs;
  ours /= runs;
  line(
    `coffer --version start (mean of ${runs})`,
    `${ours.toFixed(1)} ms`,
    "node -e 0",
    `${floor.toFixed(1)} ms`,
    ratio(floor, ours),
  );
}

const dir = mkdtempSync(join(tmpdir(), "coffer-bench-"));
const config = loadConfig({ COFFER_HOME: join(dir, "home"), COFFER_LOG_LEVEL: "warn" });
const coffer = await openCoffer(config);
try {
  await coffer.bootstrap({ actor: "bench" });
  const ws = await coffer.workspaces.resolve("default");
  const token = readFileSync(join(config.home, "admin.token"), "utf8").trim();
  console.log("ratio = our speed / the floor's speed, both measured now (1× = as fast as the floor)");
  await benchRead(coffer, ws.id, dir);
  await benchHttp(coffer, ws.id, token);
  benchStartup();
  await benchBulk(coffer, ws.id, dir);
} finally {
  await coffer.close();
  rmSync(dir, { recursive: true, force: true });
}
