/**
 * What every SQL connection pool shares: its bounds, its key, and one registry so the runtime can
 * close them all when it shuts down (idle pools never hold the process open either way).
 */
import type { ConnectionUrl } from "./connection-url.js";

/** Connections per configuration. */
export const POOL_MAX = 4;
/** An idle connection is closed after this long. */
export const POOL_IDLE_MS = 10_000;

export interface PoolStats {
  /** Open connections, busy or idle. */
  total: number;
  idle: number;
}

interface PoolFamily {
  close(): Promise<void>;
  stats(): PoolStats[];
}

const families: PoolFamily[] = [];

export function registerPools(family: PoolFamily): void {
  families.push(family);
}

/**
 * A pool's key: its whole configuration as JSON, worked out on every run, so it is kept cheap (no
 * hash). It holds the credentials, as the pool's own configuration does, and lives exactly as
 * long: the map entry goes when the pool is evicted or closed.
 */
export function poolKey(parts: unknown): string {
  return JSON.stringify(parts);
}

/** The key of a pool for `url` with these run settings: the URL's parts its connections are made of, then the settings. */
export function urlPoolKey(url: ConnectionUrl, ...settings: unknown[]): string {
  return poolKey([url.host, url.port, url.database, url.username, url.password, url.options, ...settings]);
}

/**
 * The CONNECTION_URL of the last run that succeeded, parsed, so the next run on the same URL skips
 * the parse. One entry, and only while every pool is still there: a successful run has just used
 * its pool (the most recently used, so the last one an eviction picks), and any pool evicted or
 * closed empties the cache, so the parsed credentials are never held longer than a pool holds them.
 */
let lastUrl: { text: string; value: unknown } | undefined;

export function cachedUrl<T>(text: string): T | undefined {
  return lastUrl !== undefined && lastUrl.text === text ? (lastUrl.value as T) : undefined;
}

export function rememberUrl(text: string, value: object): void {
  if (lastUrl?.text !== text) lastUrl = { text, value: Object.freeze(value) };
}

/** A pool was evicted or closed: the cached URL may have been its. */
export function poolGone(): void {
  lastUrl = undefined;
}

/** Ends every SQL pool (PostgreSQL and MySQL/MariaDB): the runtime's close calls it. */
export async function closeSqlPools(): Promise<void> {
  poolGone();
  await Promise.all(families.map((family) => family.close()));
}

/** One entry per open pool (tests check the bounds with it). */
export function sqlPoolStats(): PoolStats[] {
  return families.flatMap((family) => family.stats());
}
