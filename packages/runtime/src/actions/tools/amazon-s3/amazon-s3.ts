/**
 * `tools.amazon_s3.*` (reference §7.4) with the `amazon_s3` secret: parse_uri, call_method,
 * get_object, get_objects, list_objects, copy_objects, put_object, delete_object. A custom
 * `endpoint_url` (s3rver, MinIO) uses path-style addressing.
 */
import { CofferError, isCofferError } from "@coffer/core";
import { type ActionContext, defineAction, z } from "@coffer/sdk";
import { decodeResult } from "../aws/results.js";
import { type AwsActionOptions, awsCallFailed, awsClient, awsSession } from "../aws/session.js";
import { awsSecretDeclaration, callAws } from "../aws-boto3/aws-boto3.js";

export interface AmazonS3Options extends AwsActionOptions {
  /** get_objects: objects fetched at once across the process (COFFER_S3_CONCURRENCY_LIMIT, default 10). */
  concurrencyLimit?: number;
  /** put_object: largest object (COFFER_S3_MAX_OBJECT_BYTES, default 20 MB). */
  maxObjectBytes?: number;
  /** get_objects: first and last retry delay (Tracecat: 4 s to 10 s, doubling); tests shorten them. */
  retryDelayMs?: { min: number; max: number };
}

const DEFAULT_MAX_OBJECT_BYTES = 20 * 1024 * 1024;
const GET_ATTEMPTS = 3;

const place = {
  endpoint_url: z.string().trim().url().nullish(),
  region_name: z.string().nullish(),
};
const bucket = z.string().trim().min(1);

/** `s3://bucket/key/parts` → [bucket, key]. */
export function parseS3Uri(uri: string): [string, string] {
  if (!uri.startsWith("s3://")) {
    throw new CofferError("s3_invalid_uri", "S3 URI must start with 's3://'.", {
      details: { scheme: uri.split(":")[0] },
    });
  }
  const rest = uri.slice("s3://".length);
  const slash = rest.indexOf("/");
  const name = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? "" : rest.slice(slash + 1).replace(/^\/+/, "");
  if (name === "") throw new CofferError("s3_invalid_uri", "S3 URI names no bucket: write s3://<bucket>/<key>.");
  return [name, key];
}

/** One process-wide gate for get_objects (Tracecat's global semaphore). */
function createGate(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/** A failure worth another try: throttling, 5xx, the network; not a missing key or a refusal. */
function retryable(error: unknown): boolean {
  if (isCofferError(error)) return error.details.http_status === undefined || Number(error.details.http_status) >= 500;
  return true;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export function createAmazonS3Actions(options: AmazonS3Options = {}) {
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const gate = createGate(options.concurrencyLimit ?? 10);
  const delays = options.retryDelayMs ?? { min: 4_000, max: 10_000 };
  const secrets = [awsSecretDeclaration("amazon_s3", true)];
  const s3 = (
    ctx: ActionContext,
    method: string,
    params: Record<string, unknown>,
    where: { endpoint_url?: string | null | undefined; region_name?: string | null | undefined },
  ) =>
    callAws(
      {
        secretName: "amazon_s3",
        service: "s3",
        method,
        params,
        endpointUrl: where.endpoint_url,
        regionName: where.region_name,
      },
      ctx,
      options,
    );

  async function getBody(
    ctx: ActionContext,
    bucketName: string,
    key: string,
    where: { endpoint_url?: string | null | undefined; region_name?: string | null | undefined },
  ) {
    const result = (await s3(ctx, "get_object", { Bucket: bucketName, Key: key }, where)) as { Body?: unknown };
    return typeof result.Body === "string" ? result.Body : "";
  }

  const parseUri = defineAction({
    namespace: "tools.amazon_s3",
    name: "parse_uri",
    title: "Parse S3 URI",
    description: "Split an s3://bucket/key URI into [bucket, key].",
    display_group: "Amazon S3",
    args: z.object({ uri: z.string() }).strict(),
    handler: (args) => parseS3Uri(args.uri),
  });

  const callMethod = defineAction({
    namespace: "tools.amazon_s3",
    name: "call_method",
    title: "Call S3 method",
    description: "Call any S3 client method (boto3's snake_case name) with the `amazon_s3` secret.",
    display_group: "Amazon S3",
    args: z
      .object({ method_name: z.string().trim().min(1), params: z.record(z.string(), z.unknown()), ...place })
      .strict(),
    secrets,
    handler: (args, ctx) => s3(ctx, args.method_name, args.params, args),
  });

  const getObject = defineAction({
    namespace: "tools.amazon_s3",
    name: "get_object",
    title: "Get S3 object",
    description: "Download an object's body, decoded as UTF-8 (base64 when it is not text).",
    display_group: "Amazon S3",
    args: z.object({ bucket, key: z.string().min(1), ...place }).strict(),
    secrets,
    handler: (args, ctx) => getBody(ctx, args.bucket, args.key, args),
  });

  const getObjects = defineAction({
    namespace: "tools.amazon_s3",
    name: "get_objects",
    title: "Get S3 objects",
    description: "Download several objects at once (bounded across the process, each retried up to 3 times).",
    display_group: "Amazon S3",
    args: z.object({ bucket, keys: z.array(z.string().min(1)), ...place }).strict(),
    secrets,
    handler: (args, ctx) =>
      Promise.all(
        args.keys.map((key) =>
          gate(async () => {
            for (let attempt = 1; ; attempt++) {
              try {
                return await getBody(ctx, args.bucket, key, args);
              } catch (error) {
                if (attempt >= GET_ATTEMPTS || !retryable(error) || ctx.signal.aborted) throw error;
                await sleep(Math.min(delays.max, delays.min * 2 ** (attempt - 1)), ctx.signal);
              }
            }
          }),
        ),
      ),
  });

  const listObjects = defineAction({
    namespace: "tools.amazon_s3",
    name: "list_objects",
    title: "List S3 objects",
    description: "List up to `limit` objects of a bucket (ListObjectsV2), optionally under a prefix.",
    display_group: "Amazon S3",
    args: z
      .object({
        bucket,
        prefix: z.string().nullish(),
        limit: z.number().int().min(1).max(1000).default(1000),
        ...place,
      })
      .strict(),
    secrets,
    handler: async (args, ctx) => {
      const result = (await s3(
        ctx,
        "list_objects_v2",
        { Bucket: args.bucket, MaxKeys: args.limit, ...(args.prefix ? { Prefix: args.prefix } : {}) },
        args,
      )) as { Contents?: unknown[] };
      return result.Contents ?? [];
    },
  });

  const copyObjects = defineAction({
    namespace: "tools.amazon_s3",
    name: "copy_objects",
    title: "Copy S3 objects",
    description: "Copy every object under a prefix to another bucket; each key reports its own success or error.",
    display_group: "Amazon S3",
    args: z.object({ src_bucket: bucket, dst_bucket: bucket, prefix: z.string(), ...place }).strict(),
    secrets,
    handler: async (args, ctx) => {
      const session = awsSession(ctx, "amazon_s3", args.region_name, options);
      const { loaded, client } = await awsClient("s3", session, args.endpoint_url);
      try {
        const keys: string[] = [];
        try {
          for await (const page of loaded.module.paginateListObjectsV2(
            { client },
            { Bucket: args.src_bucket, Prefix: args.prefix },
          )) {
            for (const object of (page as { Contents?: { Key?: string }[] }).Contents ?? []) {
              if (object.Key !== undefined) keys.push(object.Key);
            }
          }
        } catch (error) {
          throw awsCallFailed("s3", "list_objects_v2", error, ctx);
        }
        const results: Record<string, unknown>[] = [];
        for (const key of keys) {
          const base = { Key: key, SourceBucket: args.src_bucket, DestinationBucket: args.dst_bucket };
          try {
            await client.send(
              new loaded.module.CopyObjectCommand({
                Bucket: args.dst_bucket,
                Key: key,
                CopySource: `${args.src_bucket}/${key.split("/").map(encodeURIComponent).join("/")}`,
              }),
              { abortSignal: ctx.signal },
            );
            results.push({ ...base, Success: true });
          } catch (error) {
            if (ctx.signal.aborted) throw ctx.signal.reason;
            const e = error as { name?: string; message?: string };
            results.push({ ...base, Error: `${e?.name ?? "Error"}: ${e?.message ?? String(error)}`, Success: false });
          }
        }
        return results;
      } finally {
        client.destroy();
      }
    },
  });

  const putObject = defineAction({
    namespace: "tools.amazon_s3",
    name: "put_object",
    title: "Put S3 object",
    description: "Upload base64 data as an object.",
    display_group: "Amazon S3",
    args: z.object({ bucket, key: z.string(), file_data: z.string(), ...place }).strict(),
    secrets,
    handler: async (args, ctx) => {
      if (args.key === "" || args.key.includes("\0")) {
        throw new CofferError(
          "s3_invalid_key",
          `Invalid S3 object key '${args.key.replaceAll("\0", "\\0")}': cannot be empty or contain null bytes.`,
        );
      }
      if (args.file_data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(args.file_data)) {
        throw new CofferError(
          "s3_invalid_data",
          `Invalid base64 data for S3 object '${args.key}': file_data must be standard base64 (A-Z a-z 0-9 + /, '=' padding, no spaces or line breaks).`,
        );
      }
      const body = Buffer.from(args.file_data, "base64");
      if (body.length > maxObjectBytes) {
        const mb = maxObjectBytes / 1024 / 1024;
        throw new CofferError(
          "s3_object_too_large",
          `S3 object '${args.key}' exceeds maximum size limit of ${Number.isInteger(mb) ? mb : mb.toFixed(2)}MB.`,
          { details: { size_bytes: body.length, limit_bytes: maxObjectBytes } },
        );
      }
      await s3(ctx, "put_object", { Bucket: args.bucket, Key: args.key, Body: body }, args);
      return null;
    },
  });

  const deleteObject = defineAction({
    namespace: "tools.amazon_s3",
    name: "delete_object",
    title: "Delete S3 object",
    description: "Delete an object.",
    display_group: "Amazon S3",
    args: z.object({ bucket, key: z.string().min(1), ...place }).strict(),
    secrets,
    handler: async (args, ctx) =>
      decodeResult(await s3(ctx, "delete_object", { Bucket: args.bucket, Key: args.key }, args)),
  });

  return [parseUri, callMethod, getObject, getObjects, listObjects, copyObjects, putObject, deleteObject] as const;
}
