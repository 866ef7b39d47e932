/**
 * SQLAlchemy database URLs (`dialect[+driver]://user:password@host:port/database?options`), parsed
 * by hand: WHATWG `URL` normalises `sqlite:///./x.db` to `/x.db`, rejects some hosts and hides the
 * scheme's meaning. Nothing here ever puts the URL or its password into an error.
 */
import { CofferError } from "@coffer/core";

export type SqlFamily = "postgresql" | "mysql" | "clickhouse" | "sqlite";

/** Dialect name → family and the drivers accepted after `+` (undefined: no driver given). */
const DIALECTS: Readonly<Record<string, { family: SqlFamily; drivers: readonly string[] }>> = {
  postgresql: { family: "postgresql", drivers: ["psycopg", "psycopg2", "asyncpg", "pg8000", "psycopg2cffi"] },
  postgres: { family: "postgresql", drivers: ["psycopg", "psycopg2", "asyncpg", "pg8000", "psycopg2cffi"] },
  mysql: { family: "mysql", drivers: ["pymysql", "mysqldb", "mysqlconnector", "asyncmy", "aiomysql"] },
  mariadb: {
    family: "mysql",
    drivers: ["pymysql", "mysqldb", "mysqlconnector", "mariadbconnector", "asyncmy", "aiomysql"],
  },
  clickhouse: { family: "clickhouse", drivers: ["http", "https"] },
  sqlite: { family: "sqlite", drivers: ["pysqlite", "aiosqlite"] },
};

export const SUPPORTED_URL_SCHEMES: readonly string[] = Object.freeze(
  Object.entries(DIALECTS).flatMap(([dialect, { drivers }]) => [dialect, ...drivers.map((d) => `${dialect}+${d}`)]),
);

export const DEFAULT_PORTS: Readonly<Record<Exclude<SqlFamily, "sqlite">, number>> = {
  postgresql: 5432,
  mysql: 3306,
  clickhouse: 8123,
};

export interface ConnectionUrl {
  family: SqlFamily;
  /** As written: `postgresql`, `mariadb`, … */
  dialect: string;
  driver: string | undefined;
  username: string | undefined;
  password: string | undefined;
  /** Without brackets for IPv6 (`::1`). */
  host: string | undefined;
  port: number | undefined;
  /** Database name; for SQLite the file path, or `:memory:`. */
  database: string | undefined;
  /** Query options, percent-decoded; a repeated option keeps its last value. */
  options: Readonly<Record<string, string>>;
}

function invalid(message: string): CofferError {
  return new CofferError("invalid_connection_url", `The sql secret's CONNECTION_URL ${message}`, {
    details: { secret: "sql", key: "CONNECTION_URL" },
  });
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(
      `has a malformed percent-escape in its ${what}: write a literal % as %25 (and @ : / ? # as %40 %3A %2F %3F %23).`,
    );
  }
}

export function parseConnectionUrl(text: string): ConnectionUrl {
  const url = text.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9_]*)(?:\+([A-Za-z0-9_]+))?:\/\//.exec(url);
  if (scheme === null) {
    throw invalid(
      "is not a database URL: write it as dialect[+driver]://user:password@host:port/database, e.g. postgresql+psycopg://app:pass@db.example.com:5432/app.",
    );
  }
  const dialect = (scheme[1] as string).toLowerCase();
  const driver = scheme[2]?.toLowerCase();
  if (dialect === "clickhouse" && driver === "native") {
    throw new CofferError(
      "unsupported_sql_dialect",
      "clickhouse+native (the native TCP protocol, port 9000) is not supported: use ClickHouse's HTTP interface, clickhouse+http://user:password@host:8123/database (or clickhouse+https:// on port 8443).",
      { details: { dialect: "clickhouse+native" } },
    );
  }
  const known = DIALECTS[dialect];
  if (known === undefined || (driver !== undefined && !known.drivers.includes(driver))) {
    const name = driver === undefined ? dialect : `${dialect}+${driver}`;
    throw new CofferError(
      "unsupported_sql_dialect",
      `The database dialect ${name} is not supported. Supported: ${SUPPORTED_URL_SCHEMES.join(", ")}.`,
      { details: { dialect: name, supported: SUPPORTED_URL_SCHEMES } },
    );
  }

  let rest = url.slice(scheme[0].length);
  const hash = rest.indexOf("#");
  if (hash !== -1) rest = rest.slice(0, hash);
  const at = lastAtOfAuthority(rest);
  const userinfo = at === -1 ? undefined : rest.slice(0, at);
  const afterUser = at === -1 ? rest : rest.slice(at + 1);
  const end = afterUser.search(/[/?]/);
  const hostport = end === -1 ? afterUser : afterUser.slice(0, end);
  const tail = end === -1 ? "" : afterUser.slice(end);

  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(":");
    username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), "user name");
    if (colon !== -1) password = decode(userinfo.slice(colon + 1), "password");
    if (username === "") username = undefined;
  }

  let host: string | undefined;
  let portText: string | undefined;
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close === -1) throw invalid("has an IPv6 host without its closing ]: write it as [::1]:5432.");
    host = hostport.slice(1, close);
    const after = hostport.slice(close + 1);
    if (after !== "" && !after.startsWith(":"))
      throw invalid("has text after the IPv6 host's ]; only :port may follow.");
    if (after !== "") portText = after.slice(1);
  } else {
    const colon = hostport.lastIndexOf(":");
    if (colon !== -1 && hostport.indexOf(":") !== colon) {
      throw invalid("has an IPv6 host without brackets: write it as [::1]:5432.");
    }
    host = colon === -1 ? hostport : hostport.slice(0, colon);
    if (colon !== -1) portText = hostport.slice(colon + 1);
  }
  host = host === "" ? undefined : decode(host, "host");
  let port: number | undefined;
  if (portText !== undefined && portText !== "") {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) {
      throw invalid(
        "has a port that is not a number from 1 to 65535. If the password contains @ : / ? or #, percent-encode them (%40 %3A %2F %3F %23).",
      );
    }
  }

  let database: string | undefined;
  let query = "";
  if (tail.startsWith("/")) {
    const q = tail.indexOf("?");
    database = decode(q === -1 ? tail.slice(1) : tail.slice(1, q), "database");
    query = q === -1 ? "" : tail.slice(q + 1);
  } else if (tail.startsWith("?")) {
    query = tail.slice(1);
  }
  if (database === "") database = undefined;

  const options: Record<string, string> = Object.create(null);
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const plus = (s: string): string => s.replace(/\+/g, " ");
    const key = decode(plus(eq === -1 ? pair : pair.slice(0, eq)), "options");
    options[key] = decode(plus(eq === -1 ? "" : pair.slice(eq + 1)), "options");
  }

  if (known.family === "sqlite") {
    if (host !== undefined || userinfo !== undefined || port !== undefined) {
      throw invalid(
        "for SQLite takes no host or user: write sqlite:///relative/path.db, sqlite:////absolute/path.db or sqlite:// (in memory).",
      );
    }
    database ??= ":memory:";
  }
  return { family: known.family, dialect, driver, username, password, host, port, database, options };
}

/** The @ ending the user info: the last one before the first / or ? (a raw @ in the password works). */
function lastAtOfAuthority(rest: string): number {
  const sep = rest.search(/[/?]/);
  return (sep === -1 ? rest : rest.slice(0, sep)).lastIndexOf("@");
}

/** The secret's distinctive parts, for masking driver messages: the URL, the password and its encoded forms. */
export function sensitiveParts(text: string, url: ConnectionUrl | undefined): string[] {
  const parts = new Set<string>([text, text.trim()]);
  if (url?.password) {
    parts.add(url.password);
    parts.add(encodeURIComponent(url.password));
  }
  return [...parts].filter((p) => p.length >= 3).sort((a, b) => b.length - a.length);
}

/** Replaces every sensitive part in a driver's message. */
export function scrub(message: string, parts: readonly string[]): string {
  let out = message;
  for (const part of parts) out = out.split(part).join("***");
  return out;
}

/** The port the URL means, the dialect's default when absent. */
export function effectivePort(url: ConnectionUrl): number | undefined {
  if (url.family === "sqlite") return undefined;
  if (url.port !== undefined) return url.port;
  if (url.family === "clickhouse" && (url.driver === "https" || url.options.protocol === "https")) return 8443;
  return DEFAULT_PORTS[url.family];
}
