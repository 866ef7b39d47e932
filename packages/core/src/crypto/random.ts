import { randomBytes, randomFillSync } from "node:crypto";

// One call into OpenSSL fills randomness for many draws: a call per IV, data key or id cost more
// (≈ 20 µs here) than the AES-GCM it feeds. Each byte is handed out once and wiped from the pool.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` fresh random bytes in a buffer of their own (the caller may wipe it). */
export function freshRandom(n: number): Buffer {
  if (n > POOL_BYTES / 4) return randomBytes(n);
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}
