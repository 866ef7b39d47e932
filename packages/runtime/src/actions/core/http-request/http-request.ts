/**
 * `core.http_request`, Tracecat's arguments and result (reference §13.2), on undici.
 *
 * Certificates from the optional `mtls` and `ca_cert` secrets go to the TLS layer in memory (an
 * undici Agent per call): nothing is written to disk, unlike Tracecat's temporary files.
 */
import { CofferError, isCofferError } from "@coffer/core";
import { type ActionContext, defineAction, z } from "@coffer/sdk";
import type { Dispatcher, FormData } from "undici";

type Undici = typeof import("undici");
// undici takes a third of a second to load here: loaded on the first request, not by every command.
let undiciModule: Promise<Undici> | undefined;
const loadUndici = (): Promise<Undici> => {
  undiciModule ??= import("undici");
  return undiciModule;
};

const primitive = z.union([z.string(), z.number(), z.boolean()]);

const fileUpload = z.union([
  z.string(),
  z
    .object({
      filename: z.string().min(1),
      content_base64: z.string(),
      content_type: z.string().min(1).optional(),
    })
    .strict(),
]);

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

export const httpRequestArgs = z
  .object({
    url: z
      .string()
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), "must be an http:// or https:// URL"),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(METHODS))
      .default("GET"),
    /** Null values are dropped, as in Tracecat. */
    headers: z.record(z.string(), primitive.nullable()).nullish(),
    /** Null values are dropped; a list repeats the parameter. */
    params: z.record(z.string(), z.union([primitive, z.array(primitive)]).nullable()).nullish(),
    /** JSON body. */
    payload: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullish(),
    /** Raw body, sent as given. */
    content: z.string().nullish(),
    /** URL-encoded form, or the text fields of a multipart body when `files` is given. */
    form_data: z.record(z.string(), z.union([primitive, z.array(primitive)])).nullish(),
    /** Multipart files: field → base64 content (file name = field), or `{filename, content_base64, content_type?}`. */
    files: z.record(z.string(), fileUpload).nullish(),
    /** Basic auth. */
    auth: z.object({ username: z.string(), password: z.string() }).strict().nullish(),
    /** Seconds for the whole exchange: connect, TLS, request and response body. */
    timeout: z.number().positive().default(10),
    follow_redirects: z.boolean().default(false),
    max_redirects: z.number().int().min(0).default(20),
    /** Statuses ≥ 400 returned as a result instead of failing the action. */
    ignore_status_codes: z.array(z.number().int().min(100).max(599)).nullish(),
    /** Return the body as base64 (for binary responses). */
    base64_encode_data: z.boolean().default(false),
    /** false: the server's certificate is not checked (and `ca_cert` is ignored). */
    verify_ssl: z.boolean().default(true),
  })
  .strict();

export type HttpRequestArgs = z.output<typeof httpRequestArgs>;

export interface HttpResponseResult {
  status_code: number;
  headers: Record<string, string>;
  data: unknown;
}

export const httpRequestAction = defineAction({
  namespace: "core",
  name: "http_request",
  title: "HTTP request",
  description: "Perform an HTTP request to a given URL.",
  display_group: "Data transform",
  args: httpRequestArgs,
  secrets: [
    { name: "mtls", keys: ["TLS_CERTIFICATE", "TLS_PRIVATE_KEY"], secret_type: "mtls", optional: true },
    { name: "ca_cert", keys: ["CA_CERTIFICATE"], secret_type: "ca_cert", optional: true },
  ],
  handler: (args, ctx) => httpRequest(args, ctx),
});

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function httpRequest(args: HttpRequestArgs, ctx: ActionContext): Promise<HttpResponseResult> {
  const url = withParams(args.url, args.params);
  const where = describeUrl(url);
  const undici = await loadUndici();
  const headers = requestHeaders(args);
  const body = requestBody(args, headers, undici);
  const timeoutMs = Math.ceil(args.timeout * 1000);

  // With TLS 1.3 a server's refusal of the client certificate arrives as an alert after the
  // handshake; undici then reports only "other side closed", so the socket's own error is kept.
  const seen: { tlsCode?: string } = {};
  const connector = undici.buildConnector({ ...tlsOptions(args, ctx), timeout: timeoutMs });
  const agent = new undici.Agent({
    connect: (options, callback) =>
      connector(options, (...result) => {
        result[1]?.on("error", (error) => {
          const code = errorCode(error);
          if (code?.startsWith("ERR_SSL_")) seen.tlsCode ??= code;
        });
        callback(...result);
      }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const dispatcher: Dispatcher = args.follow_redirects
    ? agent.compose(undici.interceptors.redirect({ maxRedirections: args.max_redirects }))
    : agent;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([ctx.signal, deadline]);

  let statusCode: number;
  let responseHeaders: Record<string, string>;
  let bytes: Buffer;
  try {
    const response = await undici.request(url, { method: args.method, headers, body, dispatcher, signal });
    statusCode = response.statusCode;
    responseHeaders = flattenHeaders(response.headers);
    bytes = Buffer.from(await response.body.arrayBuffer());
  } catch (error) {
    throw transportError(error, { where, timeout: args.timeout, ctx, deadline, tlsCode: seen.tlsCode });
  } finally {
    agent.destroy().catch(() => {});
  }

  if (args.follow_redirects && REDIRECT_STATUSES.has(statusCode) && responseHeaders.location !== undefined) {
    throw new CofferError(
      "http_too_many_redirects",
      `${args.method} ${where} was redirected more than max_redirects (${args.max_redirects}) times. Raise max_redirects or request the final URL directly.`,
      { details: { status_code: statusCode, max_redirects: args.max_redirects } },
    );
  }

  if (statusCode >= 400 && !(args.ignore_status_codes ?? []).includes(statusCode)) {
    throw new CofferError(
      "http_status_error",
      `${args.method} ${where} returned HTTP ${statusCode}. Fix the request, or add ${statusCode} to ignore_status_codes to get this response as the result.`,
      { details: { status_code: statusCode, response: excerpt(bytes, headers) } },
    );
  }
  const data = responseData(bytes, responseHeaders["content-type"], args.base64_encode_data, ctx);
  return { status_code: statusCode, headers: responseHeaders, data };
}

function withParams(raw: string, params: HttpRequestArgs["params"]): string {
  if (!params) return raw;
  const url = new URL(raw);
  for (const [name, value] of Object.entries(params)) {
    if (value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  return url.toString();
}

/**
 * Scheme, host and port only: a path (webhook URLs), a query or a user:password@ can hold
 * credentials, possibly normalised by URL parsing so that the masker would not recognise them.
 */
function describeUrl(raw: string): string {
  return new URL(raw).origin;
}

function requestHeaders(args: HttpRequestArgs): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(args.headers ?? {})) {
    if (value !== null) headers[name] = String(value);
  }
  if (args.auth) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === "authorization") delete headers[name];
    headers.authorization = `Basic ${Buffer.from(`${args.auth.username}:${args.auth.password}`).toString("base64")}`;
  }
  return headers;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

function requestBody(
  args: HttpRequestArgs,
  headers: Record<string, string>,
  undici: Undici,
): string | FormData | undefined {
  const given = (["payload", "content", "form_data", "files"] as const).filter((k) => args[k] != null);
  const clash =
    given.includes("content") && given.length > 1
      ? "content cannot be combined with payload, form_data or files"
      : given.includes("payload") && given.length > 1
        ? "payload (a JSON body) cannot be combined with form_data or files"
        : null;
  if (clash !== null) {
    throw new CofferError("invalid_argument", `core.http_request: ${clash}; send one kind of body.`, {
      details: { arguments: given },
    });
  }
  if (args.content != null) return args.content;
  if (args.payload != null) {
    if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/json";
    return JSON.stringify(args.payload);
  }
  if (args.files != null) {
    const form = new undici.FormData();
    for (const [name, value] of Object.entries(args.form_data ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
    }
    for (const [field, file] of Object.entries(args.files)) {
      const spec = typeof file === "string" ? { filename: field, content_base64: file } : file;
      const bytes = decodeBase64(spec.content_base64, field);
      const type = "content_type" in spec && spec.content_type ? spec.content_type : "application/octet-stream";
      form.append(field, new Blob([bytes], { type }), spec.filename);
    }
    return form;
  }
  if (args.form_data != null) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(args.form_data)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
    }
    if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/x-www-form-urlencoded";
    return form.toString();
  }
  return undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string, field: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!BASE64.test(compact)) {
    throw new CofferError(
      "invalid_argument",
      `core.http_request: files.${field} is not valid base64. Give the file's bytes base64-encoded (e.g. with FN.to_base64).`,
      { details: { argument: `files.${field}` } },
    );
  }
  return Buffer.from(compact, "base64");
}

interface TlsOptions {
  cert?: string;
  key?: string;
  ca?: string;
  rejectUnauthorized: boolean;
}

function tlsOptions(args: HttpRequestArgs, ctx: ActionContext): TlsOptions {
  const mtls = optionalSecret(ctx, "mtls");
  const caSecret = optionalSecret(ctx, "ca_cert");
  const options: TlsOptions = { rejectUnauthorized: args.verify_ssl };
  const cert = mtls?.TLS_CERTIFICATE;
  const key = mtls?.TLS_PRIVATE_KEY;
  if (cert) {
    options.cert = cert;
    // Tracecat: a certificate without a key is a file that holds both.
    options.key = key || cert;
  } else if (key) {
    ctx.log.warn("The mtls secret has TLS_PRIVATE_KEY but no TLS_CERTIFICATE: no client certificate is sent.");
  }
  if (!args.verify_ssl) {
    ctx.log.warn(
      `verify_ssl is false: the certificate of ${new URL(args.url).host} is not checked, so anyone on the network path can impersonate it.`,
    );
  } else if (caSecret?.CA_CERTIFICATE) {
    // Replaces the default trust store for this call: only the given CA is trusted.
    options.ca = caSecret.CA_CERTIFICATE;
  }
  return options;
}

/** An optional declared secret: undefined when it is not configured in the run's environment. */
function optionalSecret(ctx: ActionContext, name: string): Readonly<Record<string, string>> | undefined {
  try {
    return ctx.secrets.of(name);
  } catch (error) {
    if (isCofferError(error) && error.code === "secret_not_found") return undefined;
    throw error;
  }
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function isJsonType(contentType: string | undefined): boolean {
  const media = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return media === "application/json" || media.endsWith("+json");
}

function responseData(bytes: Buffer, contentType: string | undefined, base64: boolean, ctx: ActionContext): unknown {
  if (base64) return bytes.toString("base64");
  const text = new TextDecoder().decode(bytes);
  if (!isJsonType(contentType)) return text;
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    ctx.log.warn("The response says it is JSON but is not valid JSON: data holds its text.");
    return text;
  }
}

const EXCERPT_CHARS = 1000;

/** Header values shorter than this are not redacted from an error's excerpt (they would hit ordinary words). */
const MIN_REDACTED_LENGTH = 8;

/**
 * The start of an error response's body: what an API says is wrong is usually there. A server
 * that echoes the request could repeat a credential header, and a basic-auth token is a form of
 * the secrets the run's masker does not know, so the values of the headers sent are cut out.
 */
function excerpt(bytes: Buffer, sent: Record<string, string>): string {
  let text = new TextDecoder().decode(bytes.subarray(0, EXCERPT_CHARS * 4));
  const values = Object.values(sent)
    .flatMap((v) => [v, ...v.split(/\s+/)])
    .filter((v) => v.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const value of values) text = text.split(value).join("***");
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

const CONNECTION_REASONS: Record<string, string> = {
  ECONNREFUSED: "the connection was refused (is the server running, and is the port right?)",
  ENOTFOUND: "the host name does not resolve (check the URL)",
  EAI_AGAIN: "the host name could not be resolved right now (DNS failure)",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ECONNRESET: "the server closed the connection",
  UND_ERR_SOCKET: "the server closed the connection",
  EPIPE: "the server closed the connection",
};

/** Turns undici/Node errors into CofferErrors whose message says what happened, never echoing data. */
function transportError(
  error: unknown,
  at: { where: string; timeout: number; ctx: ActionContext; deadline: AbortSignal; tlsCode: string | undefined },
): CofferError {
  if (isCofferError(error)) return error;
  if (at.ctx.signal.aborted) {
    const reason: unknown = at.ctx.signal.reason;
    if (isCofferError(reason)) return reason;
    return new CofferError("action_aborted", `The request to ${at.where} was cancelled before it completed.`);
  }
  const code = at.tlsCode ?? errorCode(error);
  if (at.deadline.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new CofferError(
      "http_timeout",
      `The request to ${at.where} did not complete within the timeout of ${at.timeout} s. Raise timeout if the server is slow.`,
      { details: { timeout: at.timeout } },
    );
  }
  if (code !== undefined && isTlsCode(code, error)) {
    return new CofferError("http_tls_error", `TLS with ${at.where} failed: ${tlsReason(code)}.`, {
      details: { cause_code: code },
    });
  }
  let reason = code !== undefined ? CONNECTION_REASONS[code] : undefined;
  if (reason !== undefined && /closed/.test(reason) && at.where.startsWith("https:")) {
    // A server that does not accept the client certificate may just close the connection.
    reason = `${reason}. If it requires a client certificate, check that the mtls secret of this environment holds one its CA signed`;
  }
  return new CofferError(
    "http_connection_failed",
    `Could not complete the request to ${at.where}: ${reason ?? "the connection failed"}.`,
    { details: code === undefined ? {} : { cause_code: code } },
  );
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function isTlsCode(code: string, error: unknown): boolean {
  if (CERTIFICATE_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_OSSL_")) return true;
  // A server that wants a client certificate may reset the connection during the handshake.
  return code === "ECONNRESET" && /TLS|secure/i.test(error instanceof Error ? error.message : "");
}

function tlsReason(code: string): string {
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return "the server's certificate is not valid for this host name";
  }
  if (code === "CERT_HAS_EXPIRED") return "the server's certificate has expired";
  if (code === "CERT_NOT_YET_VALID") return "the server's certificate is not valid yet";
  if (CERTIFICATE_CODES.has(code)) {
    return "the server's certificate is not signed by a trusted CA. If the server uses a private CA, store it as the ca_cert secret (CA_CERTIFICATE) in this environment";
  }
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA/i.test(code)) {
    return "the server refused the handshake, most likely because it requires a client certificate it accepts. Store one as the mtls secret (TLS_CERTIFICATE, TLS_PRIVATE_KEY) in this environment";
  }
  if (code.startsWith("ERR_OSSL_")) {
    return "the certificate or key from the mtls or ca_cert secret could not be used; store them again";
  }
  return `the handshake failed (${code})`;
}
