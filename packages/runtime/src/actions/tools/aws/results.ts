/**
 * An SDK response as an action result: streams and bytes read and decoded (UTF-8, else base64),
 * dates as ISO strings, `$metadata` dropped, undefined fields left out.
 */
import { CofferError } from "@coffer/core";

/** Largest stream read into a result (Tracecat's 100 MB). */
export const MAX_STREAM_BYTES = 100 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }
}

function isStream(value: object): value is AsyncIterable<Uint8Array | string> {
  return typeof (value as { pipe?: unknown }).pipe === "function" && Symbol.asyncIterator in value;
}

export async function readStream(
  stream: AsyncIterable<Uint8Array | string>,
  limit = MAX_STREAM_BYTES,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buffer.length;
    if (size > limit) {
      (stream as { destroy?: () => void }).destroy?.();
      throw new CofferError(
        "aws_response_too_large",
        `An AWS response stream is larger than ${Math.round(limit / 1024 / 1024)} MB, the most an action result holds. Fetch a byte range, or copy the object instead of reading it.`,
        { details: { limit_bytes: limit } },
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export async function decodeResult(value: unknown, depth = 0): Promise<unknown> {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return decodeBytes(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return value;
  if (depth > 64) return null;
  if (isStream(value)) return decodeBytes(await readStream(value));
  // A web ReadableStream or Blob-like body (the SDK's stream mixin).
  const mixin = value as { transformToByteArray?: () => Promise<Uint8Array> };
  if (typeof mixin.transformToByteArray === "function") return decodeBytes(await mixin.transformToByteArray());
  if (Array.isArray(value)) return Promise.all(value.map((v) => decodeResult(v, depth + 1)));
  if (value instanceof Set) return Promise.all([...value].map((v) => decodeResult(v, depth + 1)));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = await decodeResult(v, depth + 1);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$metadata" || v === undefined) continue;
    out[k] = await decodeResult(v, depth + 1);
  }
  return out;
}
