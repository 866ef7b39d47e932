import type { LogFields } from "@coffer/sdk";

/** What the registry learns about a custom action module without running it in the host process. */
export interface CustomActionDescription {
  exportName: string;
  namespace: string;
  name: string;
  title: string;
  description: string;
  displayGroup?: string;
  /** JSON Schema of the zod `args` (z.toJSONSchema), for listings and the UI. */
  argsSchema: unknown;
  /** The `secrets` declarations as written (validated by the registry). */
  secrets: unknown[];
}

export interface CustomActionRunRequest {
  /** The file the sandboxed child imports (the compiled bundle for `.ts`). */
  moduleFile: string;
  exportName: string;
  /** Folders the child may read: the action's own folder and Coffer's runtime modules. */
  readablePaths: readonly string[];
  /** Evaluated args; the child parses them with the action's zod schema. */
  args: unknown;
  /** Only this run's secrets, by secret name then key. */
  secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  environment: string;
  runId: string;
  actionId: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Each `ctx.log` call of the action (the caller masks before anything prints it). */
  onLog?: (level: "debug" | "info" | "warn" | "error", message: string, fields?: LogFields) => void;
  /** The child's raw stdout/stderr chunks (the caller masks them). */
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
}

export type CustomActionOutcome =
  | { ok: true; result: unknown }
  /** `code` is a CofferError code when the action threw one (serialised with toJSON), else `action_failed`; timeouts are `action_timeout`, a dead child `action_crashed`. */
  | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };
