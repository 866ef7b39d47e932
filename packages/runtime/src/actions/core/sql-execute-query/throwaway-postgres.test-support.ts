/**
 * TEST ONLY. A throwaway PostgreSQL cluster on a free loopback port (Debian's initdb/postgres, run
 * as the postgres user), for what the shared server cannot show: password authentication (it
 * trusts every loopback login) and TLS (it runs without).
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface ThrowawayPostgres {
  port: number;
  /** The folder the cluster and its files live in (removed by stop). */
  dir: string;
  stop(): void;
}

export interface ThrowawayOptions {
  password: string;
  /** PEM server certificate and key: the cluster runs with ssl=on. */
  tls?: { cert: string; key: string };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function postgresBin(): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b));
  return `/usr/lib/postgresql/${versions.at(-1)}/bin`;
}

export async function startThrowawayPostgres(options: ThrowawayOptions): Promise<ThrowawayPostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "coffer-sql-pg-"));
  chmodSync(dir, 0o777);
  const bin = postgresBin();
  writeFileSync(join(dir, "pw"), `${options.password}\n`);
  chmodSync(join(dir, "pw"), 0o644);
  const asPostgres = (cmd: string, args: string[]): void => {
    execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: "pipe" });
  };
  asPostgres(`${bin}/initdb`, [
    "-D",
    join(dir, "data"),
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${join(dir, "pw")}`,
  ]);
  const settings = ["-c", "listen_addresses=127.0.0.1"];
  if (options.tls) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    for (const [name, pem] of [
      ["server.crt", options.tls.cert],
      ["server.key", options.tls.key],
    ] as const) {
      writeFileSync(join(dir, name), pem, { mode: 0o600 });
      chownSync(join(dir, name), uid, gid);
    }
    settings.push(
      "-c",
      "ssl=on",
      "-c",
      `ssl_cert_file=${join(dir, "server.crt")}`,
      "-c",
      `ssl_key_file=${join(dir, "server.key")}`,
    );
  }
  const server = spawn(
    "runuser",
    ["-u", "postgres", "--", `${bin}/postgres`, "-D", join(dir, "data"), "-p", String(port), "-k", dir, ...settings],
    { stdio: "ignore" },
  );
  const stop = (): void => {
    server.kill("SIGINT");
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    const c = new pg.Client({
      host: "127.0.0.1",
      port,
      user: "postgres",
      password: options.password,
      database: "postgres",
      ssl: options.tls ? { rejectUnauthorized: false } : false,
    });
    try {
      await c.connect();
      await c.end();
      return { port, dir, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  stop();
  throw new Error("throwaway postgres did not start");
}
