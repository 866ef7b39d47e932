/**
 * Tracecat's guard, made stricter: a CONNECTION_URL that reaches Coffer's own database is refused.
 * Hosts are compared after resolving names (so `localhost`, `127.0.0.2`, `::1`, `[::ffff:127.0.0.1]`
 * and a DNS alias all count as the loopback or the same address), never as literal strings only.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { CofferError } from "@coffer/core";
import { type ConnectionUrl, effectivePort } from "./connection-url.js";

/** Where Coffer's own store lives, as the executor knows it from COFFER_DATABASE_URL. */
export interface OwnDatabase {
  dialect: "postgres" | "sqlite";
  /** PostgreSQL: host name or address (absent: local socket / localhost). */
  host?: string;
  /** PostgreSQL: port, 5432 when absent. */
  port?: number;
  /** SQLite: the database file. */
  file?: string;
}

/** Reads Coffer's own COFFER_DATABASE_URL into an OwnDatabase (the value never leaves this function). */
export function ownDatabaseFromUrl(databaseUrl: string): OwnDatabase {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const u = new URL(databaseUrl);
    const host = u.hostname.replace(/^\[|\]$/g, "") || u.searchParams.get("host") || undefined;
    const own: OwnDatabase = { dialect: "postgres", port: u.port ? Number(u.port) : 5432 };
    if (host !== undefined) own.host = host;
    return own;
  }
  const file = databaseUrl.startsWith("sqlite:")
    ? databaseUrl.slice("sqlite:".length).replace(/^\/\//, "")
    : databaseUrl;
  return { dialect: "sqlite", file };
}

const LOOPBACK = "loopback";

/** A canonical form of one address: every loopback and unspecified address is the same. */
function canonical(address: string): string {
  let a = address
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) a = mapped[1] as string;
  if (isIP(a) === 4 && (a.startsWith("127.") || a === "0.0.0.0")) return LOOPBACK;
  if (isIP(a) === 6 && /^(0*:)*:?0*1?$/.test(a)) return LOOPBACK; // ::1 and :: in any spelling
  return a;
}

async function addressesOf(host: string | undefined): Promise<Set<string>> {
  const h = (host ?? "localhost").toLowerCase().replace(/\.$/, "");
  const out = new Set<string>();
  if (h === "localhost" || h.endsWith(".localhost") || h === hostname().toLowerCase() || h.startsWith("/")) {
    out.add(LOOPBACK); // a socket directory is local too
  }
  if (isIP(h.replace(/^\[|\]$/g, ""))) {
    out.add(canonical(h));
    return out;
  }
  out.add(`name:${h}`);
  try {
    for (const r of await lookup(h, { all: true })) out.add(canonical(r.address));
  } catch {
    // unresolvable: the driver fails on its own; the literal name still takes part
  }
  return out;
}

export async function assertNotOwnDatabase(url: ConnectionUrl, own: OwnDatabase | undefined): Promise<void> {
  if (own?.dialect !== "postgres" || url.family === "sqlite") return;
  const ownPort = own.port ?? 5432;
  if (effectivePort(url) !== ownPort) return;
  const [mine, theirs] = await Promise.all([addressesOf(own.host), addressesOf(url.host)]);
  for (const a of theirs) {
    if (mine.has(a)) {
      throw new CofferError(
        "sql_internal_database",
        "CONNECTION_URL points at Coffer's own internal database endpoint, which actions may not use. Use an external database connection URL instead.",
      );
    }
  }
}
