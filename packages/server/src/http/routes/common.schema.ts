import { z } from "zod";

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: "Error" });

/** Error responses documented on every authenticated route. */
export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  413: ErrorResponse,
  422: ErrorResponse,
} as const;

export const WorkspaceParams = z.strictObject({
  workspace: z.string().min(1).max(200).describe("Workspace id or slug; must be the token's workspace."),
});

export const IdParams = WorkspaceParams.extend({ id: z.string().min(1).max(200) });

export const Tags = z.record(z.string().max(64), z.string().max(256));

export const Description = z.string().max(1000).nullable();

/** An ISO-8601 date or date-time, checked by the store (which says what it expected). */
export const IsoDate = z.string().max(64);

export const security = [{ bearer: [] }];
