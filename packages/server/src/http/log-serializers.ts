// What the HTTP server's log lines may show of a request, a reply and an error. Node attaches
// the bytes it could not parse to client errors (`rawPacket`: headers, tokens, bodies), drivers
// attach queries and parameters, and parsers quote input in messages: none of that is logged.
import { serializeError } from "@coffer/core";

/** Stack frames ("at fn (file:line:col)") only: where it broke; never the message line(s) above them. */
function frames(lines: readonly unknown[]): string[] {
  return lines
    .filter((l): l is string => typeof l === "string")
    .map((l) => l.trim())
    .filter((l) => /^at \S/.test(l))
    .slice(0, 5);
}

/**
 * An error as logged: the core rule (type, code, status), where it broke (stack frames, from an
 * Error or from the error handler's own description), and the message only where it is a fixed
 * text: Node's HTTP parser errors (`HPE_*`, e.g. "Parse Error: Invalid method encountered"),
 * whose bytes stay out.
 */
export function serializeHttpError(error: unknown): Record<string, unknown> {
  const out = serializeError(error);
  const { code, message, stack, at } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    stack?: unknown;
    at?: unknown;
  };
  if (
    typeof error === "object" &&
    error !== null &&
    !(error instanceof Error) &&
    typeof (error as { type?: unknown }).type === "string"
  )
    out.type = (error as { type: string }).type;
  if (typeof code === "string" && code.startsWith("HPE_") && typeof message === "string") out.message = message;
  const where = typeof stack === "string" ? frames(stack.split("\n")) : Array.isArray(at) ? frames(at) : [];
  if (where.length > 0) out.at = where;
  return out;
}

/** A request as logged: its method and URL, no header and no body. */
function serializeRequest(req: { method?: unknown; url?: unknown }): Record<string, unknown> {
  return { method: String(req.method), url: String(req.url) };
}

function serializeReply(res: { statusCode?: unknown }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/** pino serializers for the server's logger. */
export const LOG_SERIALIZERS = {
  err: serializeHttpError,
  error: serializeHttpError,
  req: serializeRequest,
  res: serializeReply,
};
