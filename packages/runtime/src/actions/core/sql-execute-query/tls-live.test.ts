// TLS against a live server: a throwaway PostgreSQL with ssl=on and a certificate made here by
// openssl (a test CA signs a server certificate for localhost only), plus the shared server,
// which runs without TLS.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runAction, testContext } from "../../test-context.test-support.js";
import { refusedWith } from "./sql.test-support.js";
import { sqlExecuteQueryAction } from "./sql-execute-query.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./throwaway-postgres.test-support.js";

const PASSWORD = "tls-Pa55:w@rd/%";

interface Pki {
  ca: string;
  otherCa: string;
  cert: string;
  key: string;
}

/** A CA, a server certificate it signs (SAN DNS:localhost only), and an unrelated second CA. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "coffer-sql-tls-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  try {
    for (const name of ["ca", "other"]) {
      ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=Coffer test ${name} CA`,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.crt`,
      );
    }
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
    );
    execFileSync("sh", ["-c", "printf 'subjectAltName=DNS:localhost\\n' > ext.cnf"], { cwd: dir });
    ssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
      "-out",
      "server.crt",
    );
    const read = (f: string) => readFileSync(join(dir, f), "utf8");
    return { ca: read("ca.crt"), otherCa: read("other.crt"), cert: read("server.crt"), key: read("server.key") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("TLS to a live PostgreSQL", () => {
  let pki: Pki;
  let server: ThrowawayPostgres | undefined;
  const url = (host: string, mode: string) =>
    `postgresql+psycopg://postgres:${encodeURIComponent(PASSWORD)}@${host}:${server?.port}/postgres?sslmode=${mode}`;
  const run = (
    connectionUrl: string,
    ca?: string,
    query = "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
  ) => {
    const ctx = testContext({
      sql: { CONNECTION_URL: connectionUrl },
      ...(ca === undefined ? {} : { ca_cert: { CA_CERTIFICATE: ca } }),
    });
    return { ctx, result: runAction(sqlExecuteQueryAction, { query, fetch_one: true }, ctx) };
  };
  const assertClean = (error: Error, ctx: { lines: unknown[] }, connectionUrl: string) => {
    const shown = `${error.message} ${JSON.stringify((error as { details?: unknown }).details)} ${error.stack} ${JSON.stringify(ctx.lines)}`;
    for (const part of [PASSWORD, encodeURIComponent(PASSWORD), connectionUrl]) assert.ok(!shown.includes(part), shown);
  };

  before(async () => {
    pki = makePki();
    server = await startThrowawayPostgres({ password: PASSWORD, tls: { cert: pki.cert, key: pki.key } });
  });
  after(() => server?.stop());

  test("sslmode=verify-full with the ca_cert secret's CA connects over TLS", async () => {
    const row = (await run(url("localhost", "verify-full"), pki.ca).result) as { ssl: boolean; version: string };
    assert.equal(row.ssl, true);
    assert.match(row.version, /^TLSv1\.[23]$/);
  });

  test("a ca_cert secret alone (no sslmode) means verify-full", async () => {
    const bare = `postgresql://postgres:${encodeURIComponent(PASSWORD)}@localhost:${server?.port}/postgres`;
    assert.equal(((await run(bare, pki.ca).result) as { ssl: boolean }).ssl, true);
  });

  test("verify-full with another CA fails clearly, without the password or the URL", async () => {
    const target = url("localhost", "verify-full");
    const { ctx, result } = run(target, pki.otherCa);
    const error = await refusedWith(result, "sql_connection_failed");
    assert.match(error.message, /certificate is not trusted/);
    assert.match(error.message, /ca_cert/);
    assertClean(error, ctx, target);
  });

  test("verify-full without any CA does not trust the test CA (the system store does not have it)", async () => {
    const target = url("localhost", "verify-full");
    const { ctx, result } = run(target);
    const error = await refusedWith(result, "sql_connection_failed");
    assert.match(error.message, /certificate is not trusted/);
    assertClean(error, ctx, target);
  });

  test("verify-full checks the host name; verify-ca checks only the CA", async () => {
    // the certificate names localhost, not 127.0.0.1
    const target = url("127.0.0.1", "verify-full");
    const { ctx, result } = run(target, pki.ca);
    const error = await refusedWith(result, "sql_connection_failed");
    assert.match(error.message, /not for the host in the URL/);
    assertClean(error, ctx, target);
    assert.equal(((await run(url("127.0.0.1", "verify-ca"), pki.ca).result) as { ssl: boolean }).ssl, true);
    // verify-ca still refuses a certificate from another CA
    await refusedWith(run(url("127.0.0.1", "verify-ca"), pki.otherCa).result, "sql_connection_failed");
  });

  test("sslmode=require encrypts without verifying the certificate", async () => {
    assert.equal(((await run(url("127.0.0.1", "require")).result) as { ssl: boolean }).ssl, true);
  });

  test("sslmode=require against a server without TLS fails clearly", async () => {
    const target = "postgresql://postgres:not-sent@127.0.0.1:5432/test?sslmode=require";
    const { ctx, result } = run(target);
    const error = await refusedWith(result, "sql_connection_failed");
    assert.match(error.message, /does not offer TLS/);
    assert.match(error.message, /sslmode/);
    assertClean(error, ctx, target);
    assert.ok(!error.message.includes("not-sent"));
  });
});
