import {
  type AuditEventInput,
  type AuthenticatedToken,
  type Coffer,
  CofferError,
  type Role,
  roleAllows,
} from "@coffer/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "./errors.js";

/** What a route declares in `config`: the least role that may call it; absent → public. */
export interface RouteAccess {
  role?: Role;
}

declare module "fastify" {
  interface FastifyContextConfig {
    role?: Role;
  }
  interface FastifyRequest {
    /** The caller's token; set by the auth hook on every non-public route. */
    token: AuthenticatedToken | null;
    /** The workspace the route acts on: always the token's own. */
    workspaceId: string;
  }
}

/** The `actor` written to audit rows and `updated_by`. */
export function actorOf(request: FastifyRequest): { actor: string; requestId: string } {
  return { actor: request.token ? `token:${request.token.name}` : "anonymous", requestId: String(request.id) };
}

/** Same body whether the workspace does not exist or belongs to someone else. */
export function workspaceNotFound(idOrSlug: string): CofferError {
  return new CofferError(
    "workspace_not_found",
    `No workspace '${idOrSlug.slice(0, 80)}'. A token reaches only its own workspace; GET /api/v1/whoami names it.`,
    { status: 404 },
  );
}

/** Denied requests from one source within this many ms share one audit row (with a count). */
export const DENIED_WINDOW_MS = 10_000;

interface DenialWindow {
  opened: number;
  /** Denials after the first (which was written at once), not yet written. */
  pending: number;
  last: AuditEventInput;
}

/**
 * Records denied requests without one audit row per request: per source — (remote address, token
 * id or anonymous, code) — the first denial of a window is written at once (count 1) and the rest
 * of that window become one row with their count, written when the window ends or when the server
 * closes (onClose), so every denial is counted and a flood writes a few rows, not one per request.
 * `windowMs` 0 writes one row per denial.
 */
function coalesceDenials(app: FastifyInstance, coffer: Coffer, windowMs: number) {
  const windows = new Map<string, DenialWindow>();

  async function write(event: AuditEventInput, log: FastifyInstance["log"]) {
    try {
      await coffer.audit.record([event]);
    } catch (auditError) {
      log.error({ err: { type: (auditError as Error)?.name } }, "could not audit a denied request");
    }
  }

  function summary(window: DenialWindow): AuditEventInput {
    return { ...window.last, details: { ...window.last.details, count: window.pending } };
  }

  async function flush(all: boolean) {
    const now = Date.now();
    const due: AuditEventInput[] = [];
    for (const [key, window] of windows) {
      if (!all && now - window.opened < windowMs) continue;
      windows.delete(key);
      if (window.pending > 0) due.push(summary(window));
    }
    for (const event of due) await write(event, app.log);
  }

  const timer = windowMs > 0 ? setInterval(() => void flush(false), windowMs) : undefined;
  timer?.unref();
  app.addHook("onClose", async () => {
    if (timer) clearInterval(timer);
    await flush(true);
  });

  return {
    async record(request: FastifyRequest, error: CofferError, token: AuthenticatedToken | null) {
      const source = `${request.ip}|${token ? token.id : "anonymous"}|${error.code}`;
      const event: AuditEventInput = {
        actor: token ? `token:${token.name}` : "anonymous",
        workspaceId: token ? token.workspace_id : null,
        action: "request.denied",
        outcome: "denied",
        requestId: String(request.id),
        details: {
          method: request.method,
          route: request.routeOptions.url ?? "",
          status: error.status,
          code: error.code,
          remote_address: request.ip,
          count: 1,
          ...(token ? { tokenId: token.id } : {}),
        },
      };
      const now = Date.now();
      const open = windows.get(source);
      if (windowMs > 0 && open && now - open.opened < windowMs) {
        open.pending += 1;
        open.last = event;
        return;
      }
      if (open) {
        windows.delete(source);
        if (open.pending > 0) await write(summary(open), request.log);
      }
      if (windowMs > 0) windows.set(source, { opened: now, pending: 0, last: event });
      await write(event, request.log);
    },
  };
}

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  return BEARER.exec(header)?.[1];
}

/**
 * Bearer auth on every route that declares a role: authenticate (by SHA-256, compared in constant
 * time), bind to the token's workspace (any other workspace is 404, as if it did not exist), then
 * check the role. Runs in onRequest, before the body is read, so a refused request's body is never
 * parsed. Every refusal is an audit event.
 */
export function installAuth(app: FastifyInstance, coffer: Coffer, options: { deniedWindowMs?: number } = {}): void {
  app.decorateRequest("token", null);
  app.decorateRequest("workspaceId", "");
  const denials = coalesceDenials(app, coffer, options.deniedWindowMs ?? DENIED_WINDOW_MS);

  async function deny(
    request: FastifyRequest,
    reply: FastifyReply,
    error: CofferError,
    token: AuthenticatedToken | null,
  ) {
    await denials.record(request, error, token);
    request.log.info({ code: error.code, status: error.status }, "request denied");
    return sendError(reply, error);
  }

  app.addHook("onRequest", async (request, reply) => {
    const required = request.routeOptions.config?.role;
    if (!required) return;
    const presented = presentedToken(request);
    const token = presented ? await coffer.tokens.authenticate(presented) : null;
    if (!token) {
      const error = new CofferError(
        presented ? "invalid_token" : "missing_token",
        presented
          ? "The bearer token is not valid: it is unknown or was revoked."
          : "This route needs a bearer token: send 'Authorization: Bearer <token>'.",
        { status: 401 },
      );
      reply.header("www-authenticate", 'Bearer realm="coffer"');
      return deny(request, reply, error, null);
    }
    request.token = token;
    const params = request.params as { workspace?: string } | undefined;
    const workspace = params?.workspace;
    if (workspace !== undefined) {
      if (workspace !== token.workspace_id && workspace !== token.workspace_slug) {
        return deny(request, reply, workspaceNotFound(workspace), token);
      }
    }
    request.workspaceId = token.workspace_id;
    if (!roleAllows(token.role, required)) {
      return deny(
        request,
        reply,
        new CofferError(
          "insufficient_role",
          `This needs the '${required}' role; the token '${token.name}' has '${token.role}'.`,
          { status: 403, details: { required, role: token.role } },
        ),
        token,
      );
    }
  });
}
