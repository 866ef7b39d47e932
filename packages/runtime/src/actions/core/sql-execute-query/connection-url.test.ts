import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import { effectivePort, parseConnectionUrl, SUPPORTED_URL_SCHEMES, scrub, sensitiveParts } from "./connection-url.js";

function refused(url: string, code: string, check?: (message: string) => void): void {
  assert.throws(
    () => parseConnectionUrl(url),
    (error: unknown) => {
      assert.ok(isCofferError(error));
      assert.equal(error.code, code);
      check?.(error.message);
      return true;
    },
  );
}

describe("SQLAlchemy connection URLs", () => {
  test("the seed's PostgreSQL URL", () => {
    const url = parseConnectionUrl("postgresql+psycopg://user:pass@db.example.com:5432/app");
    assert.deepEqual(
      { ...url, options: { ...url.options } },
      {
        family: "postgresql",
        dialect: "postgresql",
        driver: "psycopg",
        username: "user",
        password: "pass",
        host: "db.example.com",
        port: 5432,
        database: "app",
        options: {},
      },
    );
  });

  test("every PostgreSQL, MySQL/MariaDB and ClickHouse spelling maps to its family", () => {
    const cases: [string, string, string | undefined][] = [
      ["postgresql://u@h/d", "postgresql", undefined],
      ["postgres://u@h/d", "postgresql", undefined],
      ["postgresql+psycopg2://u@h/d", "postgresql", "psycopg2"],
      ["postgresql+asyncpg://u@h/d", "postgresql", "asyncpg"],
      ["postgresql+pg8000://u@h/d", "postgresql", "pg8000"],
      ["mysql://u@h/d", "mysql", undefined],
      ["mysql+pymysql://u@h/d", "mysql", "pymysql"],
      ["mysql+mysqldb://u@h/d", "mysql", "mysqldb"],
      ["mysql+mysqlconnector://u@h/d", "mysql", "mysqlconnector"],
      ["mariadb://u@h/d", "mysql", undefined],
      ["mariadb+mariadbconnector://u@h/d", "mysql", "mariadbconnector"],
      ["mariadb+pymysql://u@h/d", "mysql", "pymysql"],
      ["clickhouse://u@h/d", "clickhouse", undefined],
      ["clickhouse+http://u@h/d", "clickhouse", "http"],
      ["clickhouse+https://u@h/d", "clickhouse", "https"],
      ["SQLite+pysqlite:///x.db", "sqlite", "pysqlite"],
    ];
    for (const [text, family, driver] of cases) {
      const url = parseConnectionUrl(text);
      assert.equal(url.family, family, text);
      assert.equal(url.driver, driver, text);
    }
  });

  test("credentials are percent-decoded: a password with @ : / % and spaces", () => {
    const url = parseConnectionUrl("mysql+pymysql://us%40er:p%40ss%3Aw%2Frd%25%20x@db:3306/app");
    assert.equal(url.username, "us@er");
    assert.equal(url.password, "p@ss:w/rd% x");
    assert.equal(url.host, "db");
    assert.equal(url.port, 3306);
  });

  test("a raw @ and : in the password are tolerated (the last @ ends the user info)", () => {
    const url = parseConnectionUrl("postgresql://app:p@ss:word@db.example.com/app");
    assert.equal(url.username, "app");
    assert.equal(url.password, "p@ss:word");
    assert.equal(url.host, "db.example.com");
    assert.equal(url.port, undefined);
  });

  test("an empty password and a user without a password", () => {
    assert.equal(parseConnectionUrl("postgresql://app:@h/d").password, "");
    const url = parseConnectionUrl("postgresql://app@h/d");
    assert.equal(url.username, "app");
    assert.equal(url.password, undefined);
  });

  test("IPv6 hosts in brackets, with and without a port", () => {
    const withPort = parseConnectionUrl("postgresql://u:p@[::1]:6543/d");
    assert.equal(withPort.host, "::1");
    assert.equal(withPort.port, 6543);
    const without = parseConnectionUrl("mysql://u:p@[2001:db8::7]/d");
    assert.equal(without.host, "2001:db8::7");
    assert.equal(without.port, undefined);
    refused("postgresql://u:p@::1:5432/d", "invalid_connection_url", (m) => assert.match(m, /\[::1\]/));
    refused("postgresql://u:p@[::1/d", "invalid_connection_url");
  });

  test("query options are decoded; repeated options keep the last", () => {
    const url = parseConnectionUrl(
      "postgresql://u@h/d?sslmode=verify-full&connect_timeout=5&application_name=my+app%21&options=-c%20search_path%3Dx&sslmode=require",
    );
    assert.deepEqual(
      { ...url.options },
      { sslmode: "require", connect_timeout: "5", application_name: "my app!", options: "-c search_path=x" },
    );
    const noDb = parseConnectionUrl("postgresql://u@h:5433?sslmode=disable");
    assert.equal(noDb.database, undefined);
    assert.equal(noDb.port, 5433);
    assert.equal(noDb.options.sslmode, "disable");
  });

  test("the database name is percent-decoded", () => {
    assert.equal(parseConnectionUrl("postgresql://u@h/my%20db").database, "my db");
  });

  test("a host-less URL (local default) parses", () => {
    const url = parseConnectionUrl("postgresql:///app");
    assert.equal(url.host, undefined);
    assert.equal(url.database, "app");
  });

  test("SQLite's forms: relative, absolute, in memory", () => {
    assert.equal(parseConnectionUrl("sqlite:///relative.db").database, "relative.db");
    assert.equal(parseConnectionUrl("sqlite:///./dir/x.db").database, "./dir/x.db");
    assert.equal(parseConnectionUrl("sqlite:////abs/path.db").database, "/abs/path.db");
    assert.equal(parseConnectionUrl("sqlite://").database, ":memory:");
    assert.equal(parseConnectionUrl("sqlite:///:memory:").database, ":memory:");
    assert.equal(parseConnectionUrl("sqlite:///x.db?mode=ro").options.mode, "ro");
    refused("sqlite://host/x.db", "invalid_connection_url", (m) => assert.match(m, /sqlite:\/\/\/relative/));
  });

  test("default ports per dialect, 8443 for clickhouse+https", () => {
    assert.equal(effectivePort(parseConnectionUrl("postgresql://h/d")), 5432);
    assert.equal(effectivePort(parseConnectionUrl("mariadb://h/d")), 3306);
    assert.equal(effectivePort(parseConnectionUrl("clickhouse+http://h/d")), 8123);
    assert.equal(effectivePort(parseConnectionUrl("clickhouse+https://h/d")), 8443);
    assert.equal(effectivePort(parseConnectionUrl("clickhouse+https://h:9443/d")), 9443);
  });

  test("an unknown dialect or driver is refused with the supported list", () => {
    for (const url of [
      "invalid://url",
      "mssql+pyodbc://u:p@h/d",
      "oracle+cx_oracle://u:p@h/d",
      "postgresql+nope://h/d",
    ]) {
      refused(url, "unsupported_sql_dialect", (m) => {
        for (const scheme of ["postgresql+psycopg", "mysql+pymysql", "mariadb", "clickhouse+http", "sqlite"]) {
          assert.ok(m.includes(scheme), `${url}: ${m}`);
        }
        assert.ok(!m.includes("u:p"));
      });
    }
    assert.ok(SUPPORTED_URL_SCHEMES.includes("postgresql+psycopg"));
  });

  test("clickhouse+native is refused, pointing at the HTTP port", () => {
    refused("clickhouse+native://u:p@h:9000/d", "unsupported_sql_dialect", (m) => {
      assert.match(m, /HTTP/);
      assert.match(m, /8123/);
    });
  });

  test("errors never contain the password or the URL", () => {
    const secret = "S3cr3t-pw";
    const bad = [
      `no-scheme-${secret}`,
      `postgresql://u:${secret}@h:99999/d`,
      `postgresql://u:${secret}%zz@h/d`,
      `postgresql://u:${secret}@[::1/d`,
      `bogus://u:${secret}@h/d`,
      `sqlite://u:${secret}@h/x.db`,
      `postgresql://u:pa/${secret}@h/d`,
    ];
    for (const url of bad) {
      assert.throws(
        () => parseConnectionUrl(url),
        (error: unknown) => {
          assert.ok(isCofferError(error), url);
          const shown = `${error.message} ${JSON.stringify(error.details ?? {})}`;
          assert.ok(!shown.includes(secret), `${url}: ${shown}`);
          return true;
        },
      );
    }
  });

  test("a raw / in the password fails with a hint to percent-encode", () => {
    refused("postgresql://u:pa/ss@h/d", "invalid_connection_url", (m) => assert.match(m, /%2F/));
  });

  test("scrub removes the URL and the password in raw and encoded forms", () => {
    const text = "postgresql://app:p@ss%2Fw@db/x";
    const url = parseConnectionUrl(text);
    const parts = sensitiveParts(text, url);
    const message = `failed for ${text}; password p@ss/w; encoded p%40ss%2Fw`;
    const out = scrub(message, parts);
    assert.ok(!out.includes("p@ss/w") && !out.includes(text) && !out.includes("p%40ss%2Fw"), out);
  });
});
