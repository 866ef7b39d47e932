import assert from "node:assert/strict";
import { test } from "node:test";
import { isCofferError } from "@coffer/core";
import { parseConnectionUrl } from "./connection-url.js";
import { tlsMode, tlsOptions } from "./tls.js";

const mode = (url: string, hasCa = false) => tlsMode(parseConnectionUrl(url), hasCa);

test("sslmode and ssl_mode map to one TLS mode; a ca_cert secret alone means verify-full", () => {
  assert.equal(mode("postgresql://h/d"), "disable");
  assert.equal(mode("postgresql://h/d", true), "verify-full");
  assert.equal(mode("postgresql://h/d?sslmode=require"), "require");
  assert.equal(mode("postgresql://h/d?sslmode=verify-ca"), "verify-ca");
  assert.equal(mode("mysql://h/d?ssl_mode=VERIFY_IDENTITY"), "verify-full");
  assert.equal(mode("mysql://h/d?ssl_mode=DISABLED", true), "disable");
  assert.throws(
    () => mode("postgresql://h/d?sslmode=prefer"),
    (e: unknown) => isCofferError(e) && e.code === "invalid_sql_option",
  );
});

test("the Node TLS options each mode gives", () => {
  assert.equal(tlsOptions("disable", "db", undefined), undefined);
  const require = tlsOptions("require", "db", undefined);
  assert.equal(require?.rejectUnauthorized, false);
  const requireWithCa = tlsOptions("require", "db", "CA");
  assert.equal(requireWithCa?.rejectUnauthorized, true);
  assert.equal(requireWithCa?.checkServerIdentity?.("db", {} as never), undefined);
  const full = tlsOptions("verify-full", "db.example.com", "CA");
  assert.deepEqual({ ...full }, { rejectUnauthorized: true, ca: "CA", servername: "db.example.com" });
});
