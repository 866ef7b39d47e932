/**
 * The messages between the host and a sandboxed child, over Node's IPC channel (JSON). The
 * child's stdin, stdout and stderr carry nothing of the protocol: stdout and stderr are the
 * action's own output, which the caller masks.
 */
import type { LogFields } from "@coffer/sdk";
import type { CustomActionDescription } from "./sandbox.types.js";

export interface SerializedActionError {
  /** `CofferError` when the action threw one (or the child built one); its code then survives. */
  name: string;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** A description plus what the child saw was unusable (args not a zod schema, handler not a function). */
export type DescribedAction = CustomActionDescription & { problems?: { field: string; message: string }[] };

export type HostMessage =
  | { type: "describe"; moduleFile: string }
  | {
      type: "run";
      moduleFile: string;
      exportName: string;
      args: unknown;
      secrets: Record<string, Record<string, string>>;
      environment: string;
      runId: string;
      actionId: string;
    }
  /** The timeout passed or the run was cancelled: abort `ctx.signal` (the host kills shortly after). */
  | { type: "abort"; reason: "timeout" | "cancelled" };

export type ChildMessage =
  | { type: "described"; actions: DescribedAction[] }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; message: string; fields?: LogFields }
  | { type: "result"; ok: true; result: unknown }
  | { type: "result"; ok: false; error: SerializedActionError };
