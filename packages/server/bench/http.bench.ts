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
import { sealedColumns } from "@coffer/core/testing";
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
  const resolveOnce = (useAudit: "record" | "return") =>
    coffer.resolution.resolveForRun({
      workspaceId,
      environment: "default",
      secretNames: names,
      actor: { actor: "bench" },
      useAudit,
    });
  // What an action run's store work is: the read and decrypt, with its use-audit batch handed to
  // the run's own write (`useAudit: "return"`), then that batch on its own, then both together.
  const readOps = await opsPerSecond(async () => {
    if ((await resolveOnce("return")).secrets.size !== 10) throw new Error("resolve lost a secret");
  });
  const events = (await resolveOnce("return")).useEvents;
  const auditOps = await opsPerSecond(() => coffer.audit.record(events));
  const ours = await opsPerSecond(async () => {
    if ((await resolveOnce("record")).secrets.size !== 10) throw new Error("resolve lost a secret");
  });
  // The floor's audit: ten rows in one transaction, no chain.
  floor.db.exec("create table a (id integer primary key, actor text, target text, details text)");
  const audit = floor.db.prepare("insert into a (actor, target, details) values (?, ?, ?)");
  const auditAll = floor.db.transaction(() => {
    for (const name of names) audit.run("bench", name, '{"version":1}');
  });
  const floorAuditOps = await opsPerSecond(() => auditAll.immediate());
  const floorAuditedOps = await opsPerSecond(() => {
    for (const row of select.all(...names) as { iv: Buffer; tag: Buffer; ct: Buffer }[]) floor.open(row);
    auditAll.immediate();
  });
  floor.db.close();
  line(
    "resolve 10 secrets for a run (resolveForRun: one read, envelope decrypt; use-audit handed to the run's batch; SQLite)",
    `${fmt(readOps)} ops/s`,
    "raw better-sqlite3 select + one AES-GCM decrypt each",
    `${fmt(floorOps)} ops/s`,
    `${ratio(readOps, floorOps)} (target ≥ 0.8×)`,
  );
  line(
    "  its use-audit batch: 10 hash-chained events, anchor re-MACed, one transaction",
    `${fmt(auditOps)} ops/s`,
    "raw insert of 10 rows in one transaction",
    `${fmt(floorAuditOps)} ops/s`,
    ratio(auditOps, floorAuditOps),
  );
  line(
    "  both in one call (resolveForRun writing its own audit)",
    `${fmt(ours)} ops/s`,
    "raw select + decrypt + raw audit insert",
    `${fmt(floorAuditedOps)} ops/s`,
    ratio(ours, floorAuditedOps),
  );
}

async function benchBulk(coffer: Coffer, workspaceId: string, dir: string, dbFile: string) {
  const N = 10_000;
  mkdirSync(join(dir, "bulk"), { recursive: true });
  const floor = openFloor(join(dir, "bulk"));
  const floorCreate = await timeIt(() => {
    for (let i = 0; i < N; i++)
      floor.create(`f${i}`, `bulk_${i}`, JSON.stringify({ K: randomBytes(16).toString("hex") }));
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
  if (list.result !== N) throw new Error("list count mismatch");
  const floorList = await timeIt(() => rawListPages(dbFile, "bulk", 1000));
  if (floorList.result !== N) throw new Error("raw list count mismatch");
  const perSec = (ms: number) => (N * 1000) / ms;
  line(
    `create ${fmt(N)} secrets (one transaction each, with audit)`,
    `${fmt(perSec(create.ms))} secrets/s`,
    "raw better-sqlite3 insert + AES-GCM, one transaction each",
    `${fmt(perSec(floorCreate.ms))} rows/s`,
    ratio(perSec(create.ms), perSec(floorCreate.ms)),
  );
  line(
    `list ${fmt(N)} secrets (pages of 1000, no decryption)`,
    `${fmt(perSec(list.ms))} items/s`,
    "raw better-sqlite3 select of the same columns, same pages",
    `${fmt(perSec(floorList.ms))} rows/s`,
    ratio(perSec(list.ms), perSec(floorList.ms)),
  );
}

/** `coffer keys rotate` over 100,000 real sealed versions, through the CLI with its progress bar. */
async function benchRotate(dir: string) {
  const N = 100_000;
  const home = join(dir, "rotate");
  const config = loadConfig({ COFFER_HOME: home, COFFER_LOG_LEVEL: "warn" });
  const coffer = await openCoffer(config);
  try {
    await coffer.bootstrap({ actor: "bench" });
    const ws = (await coffer.workspaces.resolve("default")).id;
    await coffer.secrets.create(ws, { name: "seed", keys: [{ key: "K", value: "v" }] }, { actor: "bench" });
    const db = new Sqlite(join(home, "coffer.db"));
    try {
      const secret = db.prepare("select * from secrets where name = 'seed'").get() as Record<string, unknown>;
      const version = db.prepare("select * from secret_versions").get() as Record<string, unknown>;
      const insert = (table: string, row: Record<string, unknown>) =>
        db.prepare(
          `insert into ${table} (${Object.keys(row).join(",")}) values (${Object.keys(row)
            .map((k) => `@${k}`)
            .join(",")})`,
        );
      const insertSecret = insert("secrets", secret);
      const insertVersion = insert("secret_versions", version);
      db.transaction(() => {
        for (let i = 0; i < N; i++) {
          const id = `00000000-0000-7000-8000-${String(i).padStart(12, "0")}`;
          const vid = `10000000-0000-7000-8000-${String(i).padStart(12, "0")}`;
          const sealed = sealedColumns(coffer, ws, id, vid, { K: randomBytes(16).toString("hex") });
          insertSecret.run({ ...secret, id, name: `rot_${i}`, current_version_id: vid });
          insertVersion.run({ ...version, ...sealed, id: vid, secret_id: id });
        }
      })();
    } finally {
      db.close();
    }
  } finally {
    await coffer.close();
  }
  console.log(`keys rotate over ${fmt(N + 1)} versions, through the CLI (its progress bar on stderr):`);
  const start = performance.now();
  const r = spawnSync(process.execPath, [join(root, "packages/server/bin/coffer.cjs"), "keys", "rotate", "--json"], {
    cwd: root,
    env: { ...process.env, COFFER_HOME: home, COFFER_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error("keys rotate failed");
  const result = JSON.parse(r.stdout.toString()) as { rewrapped: number; unreadable: number };
  if (result.rewrapped !== N + 1 || result.unreadable !== 0) throw new Error(`rotation re-wrapped ${result.rewrapped}`);
  console.log(
    `keys rotate: ${fmt(result.rewrapped)} versions re-wrapped at ${fmt((result.rewrapped * 1000) / ms)} versions/s (whole command, start-up included; batches of 200)`,
  );
}

/** The floor of a list page: the same join and columns, straight from better-sqlite3, keyset pages. */
function rawListPages(dbFile: string, environment: string, pageSize: number): number {
  const db = new Sqlite(dbFile, { readonly: true });
  try {
    const page = db.prepare(
      `select s.*, v.ciphertext, v.wrapped_key, v.kid, v.key_names, v.metadata, v.corrupted_at,
         (select count(*) from secret_versions c where c.secret_id = s.id) as version_count
       from secrets s join secret_versions v on v.id = s.current_version_id
       where s.environment = ? and (s.name > ? or (s.name = ? and s.id > ?))
       order by s.name, s.environment, s.id limit ?`,
    );
    let n = 0;
    let last = { name: "", id: "" };
    for (;;) {
      const rows = page.all(environment, last.name, last.name, last.id, pageSize) as { name: string; id: string }[];
      n += rows.length;
      if (rows.length < pageSize) return n;
      last = rows[rows.length - 1]!;
    }
  } finally {
    db.close();
  }
}

/** p99 of `fn` over `n` runs, in ms. */
async function p99(fn: () => Promise<unknown>, n = 300): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await timeIt(fn)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(n * 0.99)]!;
}

/** A list page and a name search at 1,000 and at 100,000 secrets, same run. */
async function benchScale(dir: string) {
  const results: { size: number; page: number; search: number }[] = [];
  for (const size of [1000, 100_000]) {
    const config = loadConfig({ COFFER_HOME: join(dir, `scale-${size}`), COFFER_LOG_LEVEL: "warn" });
    const coffer = await openCoffer(config);
    try {
      await coffer.bootstrap({ actor: "bench" });
      const ws = (await coffer.workspaces.resolve("default")).id;
      await coffer.secrets.create(ws, { name: "seed", keys: [{ key: "K", value: "v" }] }, { actor: "bench" });
      // Bulk rows straight into the tables (a list never decrypts, so copies of one sealed version do).
      const db = new Sqlite(join(config.home, "coffer.db"));
      try {
        const secret = db.prepare("select * from secrets where name = 'seed'").get() as Record<string, unknown>;
        const version = db.prepare("select * from secret_versions").get() as Record<string, unknown>;
        const insertSecret = db.prepare(
          `insert into secrets (${Object.keys(secret).join(",")}) values (${Object.keys(secret)
            .map((k) => `@${k}`)
            .join(",")})`,
        );
        const insertVersion = db.prepare(
          `insert into secret_versions (${Object.keys(version).join(",")}) values (${Object.keys(version)
            .map((k) => `@${k}`)
            .join(",")})`,
        );
        db.transaction(() => {
          for (let i = 0; i < size; i++) {
            const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
            const vid = `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
            insertSecret.run({ ...secret, id, name: `svc_${String(i).padStart(6, "0")}`, current_version_id: vid });
            insertVersion.run({ ...version, id: vid, secret_id: id });
          }
        })();
      } finally {
        db.close();
      }
      // The seeding above is the bench's own garbage (200,000 row objects): collected now, so a
      // major GC it causes does not land in the store's p99.
      globalThis.gc?.();
      const middle = `svc_${String(Math.floor(size / 2)).padStart(6, "0")}`;
      const page = await p99(() => coffer.secrets.list(ws, { limit: 100, prefix: "svc_" }), 1000);
      const search = await p99(() => coffer.secrets.list(ws, { limit: 100, prefix: middle.slice(0, -1) }), 1000);
      results.push({ size, page, search });
    } finally {
      await coffer.close();
    }
  }
  const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
  line(
    "list page of 100 at 100,000 secrets (p99)",
    `${large.page.toFixed(2)} ms`,
    "the same at 1,000",
    `${small.page.toFixed(2)} ms`,
    `${(large.page / small.page).toFixed(2)}× the time (target ≤ 2×)`,
  );
  line(
    "name search (prefix) at 100,000 secrets (p99)",
    `${large.search.toFixed(2)} ms`,
    "the same at 1,000",
    `${small.search.toFixed(2)} ms`,
    `${(large.search / small.search).toFixed(2)}× the time (target ≤ 2×)`,
  );
}

/** `coffer secrets list` on an embedded store of 1,000 secrets, against `node -e 0`. */
async function benchCliList(dir: string) {
  const home = join(dir, "cli-1000");
  const config = loadConfig({ COFFER_HOME: home, COFFER_LOG_LEVEL: "warn" });
  const coffer = await openCoffer(config);
  try {
    await coffer.bootstrap({ actor: "bench" });
    const ws = (await coffer.workspaces.resolve("default")).id;
    for (let i = 0; i < 1000; i++) {
      await coffer.secrets.create(ws, { name: `cli_${i}`, keys: [{ key: "K", value: "v" }] }, { actor: "bench" });
    }
  } finally {
    await coffer.close();
  }
  const env = { PATH: process.env.PATH ?? "", COFFER_HOME: home, COFFER_LOG_LEVEL: "warn" };
  const ourArgs = [join(root, "packages/server/bin/coffer.cjs"), "secrets", "list"];
  const { floor, ours } = interleaved(["-e", "0"], ourArgs, env, 10);
  line(
    "coffer secrets list, 1,000 secrets, embedded (mean of 10)",
    `${ours.toFixed(1)} ms`,
    "node -e 0",
    `${floor.toFixed(1)} ms`,
    `${(ours / floor).toFixed(2)}× the time (target ≤ 2.5×)`,
  );
}

function interleaved(floorArgs: string[], ourArgs: string[], env: NodeJS.ProcessEnv, runs: number) {
  const once = (args: string[]) => {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, env });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
    return performance.now() - start;
  };
  once(floorArgs);
  once(ourArgs); // warm the file cache
  let floor = 0;
  let ours = 0;
  for (let i = 0; i < runs; i++) {
    floor += once(floorArgs);
    ours += once(ourArgs);
  }
  return { floor: floor / runs, ours: ours / runs };
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
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
    await autocannon(oursUrl, oursHeaders, 1);
    // Then three rounds of floor and ours in turn (a busy machine slows both alike); the round
    // with the median ratio is reported.
    const rounds: { floor: AutocannonResult; ours: AutocannonResult }[] = [];
    for (let round = 0; round < 3; round++) {
      const floor = await autocannon(`http://127.0.0.1:${barePort}/`, {}, 2);
      const ours = await autocannon(oursUrl, oursHeaders, 2);
      if (ours.non2xx > 0 || ours.errors > 0)
        throw new Error(`GET /secrets/{id} failed under load: ${ours.non2xx} non-2xx, ${ours.errors} errors`);
      rounds.push({ floor, ours });
    }
    rounds.sort(
      (a, b) => a.ours.requests.average / a.floor.requests.average - b.ours.requests.average / b.floor.requests.average,
    );
    const { floor, ours } = rounds[1]!;
    line(
      "GET /secrets/{id} (auth + one read, no decryption; autocannon -c 32, median of 3 rounds of 2 s)",
      `${fmt(ours.requests.average)} req/s (p99 ${ours.latency.p99} ms)`,
      "bare node:http fixed JSON",
      `${fmt(floor.requests.average)} req/s (p99 ${floor.latency.p99} ms)`,
      ratio(ours.requests.average, floor.requests.average),
    );
  } finally {
    await new Promise<void>((r) => bare.close(() => r()));
    await server.close();
  }
}

function benchStartup() {
  const runs = 20;
  const env = { PATH: process.env.PATH ?? "" };
  const ourArgs = [join(root, "packages/server/bin/coffer.cjs"), "--version"];
  const { floor, ours } = interleaved(["-e", "0"], ourArgs, env, runs);
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
  // COFFER_BENCH_ONLY=read,http,… runs only those parts (for measuring one change).
  const only = process.env.COFFER_BENCH_ONLY?.split(",");
  const wanted = (part: string) => !only || only.includes(part);
  if (wanted("read")) await benchRead(coffer, ws.id, dir);
  if (wanted("http")) await benchHttp(coffer, ws.id, token);
  if (wanted("startup")) benchStartup();
  if (wanted("bulk")) await benchBulk(coffer, ws.id, dir, join(config.home, "coffer.db"));
  if (wanted("scale")) await benchScale(dir);
  if (wanted("rotate")) await benchRotate(dir);
  if (wanted("cli")) await benchCliList(dir);
} finally {
  await coffer.close();
  rmSync(dir, { recursive: true, force: true });
}
