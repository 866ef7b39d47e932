import { randomBytes, randomFillSync } from "node:crypto";

// One system call fills randomness for 256 ids: a call per id cost more than the rest of an
// audit append. Bytes are handed out once each and the pool is refilled when spent.
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let next = POOL_IDS;

/**
 * A UUIDv7: 48 bits of Unix milliseconds, then random bits. Ids made one after another sort one
 * after another, so each insert lands at the right edge of its B-tree index instead of on a random
 * page (on SQLite that halves the cost of an audit append). Still unguessable: 74 random bits.
 */
export function newId(): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const b = pool.subarray(next * 16, next * 16 + 16);
  next += 1;
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 128 random bits as 22 base62 characters (`wf_…` ids). */
export function newBase62Id(): string {
  let n = BigInt(`0x${randomBytes(16).toString("hex")}`);
  let out = "";
  for (let i = 0; i < 22; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}
