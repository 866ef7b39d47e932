import { type AuthenticatedToken, type Coffer, CofferError, type Role, roleAllows } from "@coffer/core";
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
    `No workspace '${idOrSlug.slice(0, 80)}'. List them with \`coffer workspaces list\`.`,
    { status: 404 },
  );
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
export function installAuth(app: FastifyInstance, coffer: Coffer): void {
  app.decorateRequest("token", null);
  app.decorateRequest("workspaceId", "");

  async function deny(
    request: FastifyRequest,
    reply: FastifyReply,
    error: CofferError,
    token: AuthenticatedToken | null,
  ) {
    try {
      await coffer.audit.record([
        {
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
            ...(token ? { tokenId: token.id } : {}),
          },
        },
      ]);
    } catch (auditError) {
      request.log.error({ err: { type: (auditError as Error)?.name } }, "could not audit a denied request");
    }
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
