// The typed HTTP client: paths and shapes come from the server's OpenAPI document (generated at
// build time into schema.d.ts), so a renamed field fails the web build instead of the page.
import createClient, { type Middleware } from "openapi-fetch";
import { getToken } from "../session";
import type { components, paths } from "./schema";

export type Secret = components["schemas"]["Secret"];
export type SecretPage =
  paths["/api/v1/workspaces/{workspace}/secrets"]["get"]["responses"]["200"]["content"]["application/json"];
export type SecretVersion =
  paths["/api/v1/workspaces/{workspace}/secrets/{id}/versions"]["get"]["responses"]["200"]["content"]["application/json"]["items"][number];
export type SecretDefinition =
  paths["/api/v1/workspaces/{workspace}/secrets/definitions"]["get"]["responses"]["200"]["content"]["application/json"]["items"][number];
export type Whoami = paths["/api/v1/whoami"]["get"]["responses"]["200"]["content"]["application/json"];
export type Role = Whoami["role"];
export type CreateSecretBody = NonNullable<
  paths["/api/v1/workspaces/{workspace}/secrets"]["post"]["requestBody"]
>["content"]["application/json"];
export type UpdateSecretBody = NonNullable<
  paths["/api/v1/workspaces/{workspace}/secrets/{id}"]["patch"]["requestBody"]
>["content"]["application/json"];
export type ErrorBody = components["schemas"]["Error"];

/** An error answer of the API: its stable code, the message written for the user, and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token && !request.headers.has("authorization")) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  // Looked up at each call, not captured once.
  fetch: (request) => globalThis.fetch(request),
});
api.use(auth);

/** The data of a call, or its error thrown as an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(0, "network_error", "The server did not answer. Check that `coffer serve` is running.", {});
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const body = (error ?? {}) as Partial<ErrorBody>;
    throw new ApiError(
      response.status,
      body.error?.code ?? "http_error",
      body.error?.message ?? `The server answered ${response.status}.`,
      body.error?.details ?? {},
    );
  }
  return data as T;
}
