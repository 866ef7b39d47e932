import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { CofferError, isCofferError } from "@coffer/core";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";

/** The one error body of the API. `details` never holds a submitted value. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function errorBody(error: CofferError): ErrorBody {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

/** One problem found by a request schema: where, which rule; built without the submitted input. */
export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
}

interface ZodLikeIssue {
  code?: string;
  path?: readonly PropertyKey[];
  expected?: unknown;
  keys?: readonly string[];
  values?: readonly unknown[];
  origin?: string;
  minimum?: unknown;
  maximum?: unknown;
  format?: string;
}

const PLACES: Record<string, string> = { body: "body", querystring: "query", params: "path", headers: "header" };

function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function sizeWord(origin: string | undefined): string {
  if (origin === "string") return "characters";
  if (origin === "array" || origin === "set") return "items";
  if (origin === "object" || origin === "record" || origin === "map") return "entries";
  return "";
}

/**
 * A message from the issue's code and the schema's own limits only. Zod's messages are not used:
 * some quote the input (and Tracecat's 422 echoes whole bodies, values included).
 */
function describeIssue(issue: ZodLikeIssue, field: string): string {
  const subject = field === "" ? "The request" : `'${field}'`;
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === undefined || issue.expected === "undefined"
        ? `${subject} is not allowed here.`
        : `${subject} must be ${article(String(issue.expected))}.`;
    case "too_small": {
      const unit = sizeWord(issue.origin);
      return unit
        ? `${subject} needs at least ${String(issue.minimum)} ${unit}.`
        : `${subject} must be at least ${String(issue.minimum)}.`;
    }
    case "too_big": {
      const unit = sizeWord(issue.origin);
      return unit
        ? `${subject} holds at most ${String(issue.maximum)} ${unit}.`
        : `${subject} must be at most ${String(issue.maximum)}.`;
    }
    case "invalid_value":
      return `${subject} must be one of: ${(issue.values ?? []).map((v) => String(v)).join(", ")}.`;
    case "invalid_format":
      return `${subject} must be a valid ${issue.format ?? "value"}.`;
    case "not_multiple_of":
    case "invalid_union":
    case "invalid_key":
    case "invalid_element":
    case "custom":
      return `${subject} is invalid.`;
    default:
      return `${subject} is invalid.`;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** Turns request-schema failures into value-free issues; an unknown field gets its own code. */
export function validationError(issues: readonly ZodLikeIssue[], context: string | undefined): CofferError {
  const place = PLACES[context ?? "body"] ?? "body";
  const out: ValidationIssue[] = [];
  const unknownFields: string[] = [];
  for (const issue of issues) {
    const base = joinPath(issue.path ?? []);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys ?? []) {
        const field = base === "" ? key : `${base}.${key}`;
        unknownFields.push(field);
        out.push({ path: field, code: "unknown_field", message: `'${field}' is not a field of this request.` });
      }
      continue;
    }
    out.push({ path: base, code: issue.code ?? "invalid", message: describeIssue(issue, base) });
  }
  const status = place === "body" ? 422 : 400;
  const first = out[0];
  if (unknownFields.length > 0 && unknownFields.length === out.length) {
    return new CofferError(
      "unknown_field",
      `The ${place} has ${unknownFields.length === 1 ? "a field" : "fields"} this route does not accept: ${unknownFields.map((f) => `'${f}'`).join(", ")}. Remove ${unknownFields.length === 1 ? "it" : "them"}.`,
      { status, details: { location: place, fields: unknownFields, issues: out } },
    );
  }
  const more = out.length > 1 ? ` (and ${out.length - 1} more problem${out.length > 2 ? "s" : ""})` : "";
  return new CofferError(
    place === "body" ? "invalid_request" : place === "query" ? "invalid_query" : "invalid_parameter",
    `Invalid ${place}: ${first ? first.message : "it does not match the schema"}${more}`,
    { status, details: { location: place, issues: out } },
  );
}

function routeNotFound(method: string, path: string): CofferError {
  return new CofferError("route_not_found", `There is no route ${method} ${path.slice(0, 200)}. See /api/v1/docs.`, {
    status: 404,
  });
}

/** Longest path parameter (ids, names, slugs are at most 200 characters); longer → 414. */
export const MAX_PARAM_LENGTH = 256;

/** Maps a Fastify framework error (parsing, limits) to a CofferError; its message may quote the body, so it is never used. */
function frameworkError(error: FastifyError): CofferError | undefined {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new CofferError("payload_too_large", "The request body is larger than this server accepts.", {
        status: 413,
      });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new CofferError(
        "unsupported_media_type",
        "Send the request body as JSON (Content-Type: application/json).",
        {
          status: 415,
        },
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new CofferError("malformed_request", "The request says it carries JSON but the body is empty.", {
        status: 400,
      });
    case "FST_ERR_BAD_URL":
      return new CofferError(
        "malformed_request",
        "The request path is not a valid URL: a percent sign must start an escape like %20.",
        { status: 400 },
      );
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new CofferError(
        "uri_too_long",
        `A path segment of this request is longer than the ${MAX_PARAM_LENGTH} characters this server accepts; ids and names are shorter.`,
        { status: 414, details: { max_length: MAX_PARAM_LENGTH } },
      );
    case "FST_STATIC_FORBIDDEN_PATH":
      // The docs' static files, asked for with `..` in the path: as if there were no such route.
      return routeNotFound("GET", "(a path that leaves /api/v1/docs/static)");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new CofferError("malformed_request", "The request body is not valid JSON.", { status: 400 });
    default:
      break;
  }
  // secure-json-parse / JSON.parse errors: Node's message quotes the start of the body.
  if (error instanceof SyntaxError || (error.statusCode === 400 && error.name === "SyntaxError")) {
    return new CofferError("malformed_request", "The request body is not valid JSON.", { status: 400 });
  }
  if (error.statusCode === 413) {
    return new CofferError("payload_too_large", "The request body is larger than this server accepts.", {
      status: 413,
    });
  }
  if (error.statusCode === 400 || error.statusCode === 415) {
    return new CofferError("malformed_request", "The request could not be read.", { status: 400 });
  }
  return undefined;
}

export const INTERNAL_ERROR = new CofferError(
  "internal_error",
  "Something went wrong on the server. It has been logged; try again.",
  {
    status: 500,
  },
);

/** Anything thrown anywhere, as the CofferError the client sees. */
export function toCofferError(error: unknown): CofferError {
  if (isCofferError(error)) {
    return error;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      ...(v.params as ZodLikeIssue),
      code: v.keyword,
      path: v.instancePath
        .split("/")
        .slice(1)
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    }));
    return validationError(issues, (error as { validationContext?: string }).validationContext);
  }
  if (error && typeof error === "object" && "code" in error) {
    const mapped = frameworkError(error as FastifyError);
    if (mapped) return mapped;
  }
  return INTERNAL_ERROR;
}

/** The value-free facts of an unexpected error, for the log. */
function describeUnexpected(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    return {
      type: error.name,
      code: (error as { code?: unknown }).code,
      // Only the first stack frames: where it broke, without a message that might quote data.
      at: error.stack
        ?.split("\n")
        .slice(1, 6)
        .map((l) => l.trim()),
    };
  }
  return { type: typeof error };
}

export function sendError(reply: FastifyReply, error: CofferError): FastifyReply {
  return reply
    .code(error.status)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(errorBody(error)));
}

/** Installs the error and not-found handlers: every failure becomes `{error:{code,message,details}}`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toCofferError(error);
    if (mapped.status >= 500) {
      request.log.error({ err: describeUnexpected(error), code: mapped.code }, "request failed");
    } else {
      request.log.info({ code: mapped.code, status: mapped.status }, "request refused");
    }
    return sendError(reply, mapped);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    return sendError(reply, routeNotFound(request.method, request.url.split("?")[0] ?? ""));
  });
}

/** Errors Fastify raises before routing (a bad URL, an over-long path segment), in our format. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toCofferError(error);
  request.log.info({ code: mapped.code, status: mapped.status }, "request refused");
  reply.header("x-request-id", String(request.id));
  reply.header("cache-control", "no-store");
  sendError(reply, mapped);
}

/** What Node's HTTP parser refused, as our error; the parser's error (which may hold raw bytes) is never sent or logged. */
function clientError(error: { code?: string }): CofferError {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return new CofferError(
        "headers_too_large",
        "The request headers are larger than this server accepts (16 KiB in all).",
        { status: 431 },
      );
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new CofferError("request_timeout", "The request did not arrive in time; send it again.", {
        status: 408,
      });
    case "HPE_INVALID_METHOD":
      return new CofferError(
        "unknown_method",
        "The request line is not valid HTTP: the method is not one HTTP knows. The API uses GET, POST, PATCH and DELETE.",
        { status: 400 },
      );
    default:
      return new CofferError("malformed_request", "The request is not valid HTTP/1.1.", { status: 400 });
  }
}

/** Replaces Fastify's clientErrorHandler: the same `{error:{…}}` body for what never became a request. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const mapped = clientError(error);
  const body = JSON.stringify(errorBody(mapped));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${mapped.status} ${STATUS_CODES[mapped.status] ?? "Error"}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
