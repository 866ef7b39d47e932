/** Driver values in Tracecat's JSON shapes: ISO dates, big numbers as strings, binary as base64. */

export type Row = Record<string, unknown>;

export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === "object") {
    const out: Row = {};
    for (const [k, v] of Object.entries(value as Row)) out[k] = jsonValue(v);
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

export function jsonRow(row: Row): Row {
  const out: Row = {};
  for (const key of Object.keys(row)) out[key] = jsonValue(row[key]);
  return out;
}

/** `2024-01-02 03:04:05.123456+02` → `2024-01-02T03:04:05.123456+02:00` (Python's isoformat). */
export function isoTimestamp(text: string): string {
  const t = text.replace(" ", "T");
  return t.replace(/([+-]\d{2})$/, "$1:00").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
}
