/** How close a secret is to its `expires_at`, as `list`, `show` and the API items show it. */
export interface SecretExpiry {
  /** `none`: no expiry; `expiring`: within EXPIRING_WITHIN_DAYS; `expired`: at or past it. */
  state: "ok" | "expiring" | "expired" | "none";
  /** Whole days left (rounded down; negative once expired), null without an expiry. */
  days_left: number | null;
}

export const EXPIRING_WITHIN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export function expiryOf(expiresAt: string | null, now: Date): SecretExpiry {
  if (expiresAt === null) return { state: "none", days_left: null };
  const left = Date.parse(expiresAt) - now.getTime();
  const days = Math.floor(left / DAY_MS);
  if (left <= 0) return { state: "expired", days_left: days };
  return { state: left <= EXPIRING_WITHIN_DAYS * DAY_MS ? "expiring" : "ok", days_left: days };
}
