import type { Keyring } from "./crypto/keyring.js";
import type { Database } from "./db/database.js";

/** What a Coffer is built on. Not on its public face: only tests reach it, via `@coffer/core/testing`. */
export interface CofferInternals {
  database: Database;
  keyring: Keyring;
}

const internals = new WeakMap<object, CofferInternals>();

export function registerInternals(coffer: object, parts: CofferInternals): void {
  internals.set(coffer, parts);
}

export function internalsOf(coffer: object): CofferInternals {
  const parts = internals.get(coffer);
  if (!parts) throw new Error("not a Coffer opened by openCoffer");
  return parts;
}
