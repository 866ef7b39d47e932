import type { Actor } from "@coffer/core";

export interface ActionRunRequest {
  workspaceId: string;
  actionId: string;
  /** Raw args; may hold `${{ SECRETS.… }}`, `${{ VARS.… }}`, `${{ FN.… }}` templates. */
  args: Record<string, unknown>;
  /**
   * What a workflow run gives the args besides SECRETS and VARS: `ACTIONS`, `TRIGGER`, `ENV` and
   * the loop's `var`. A reference to one of these that finds nothing evaluates to null.
   */
  context?: WorkflowContext;
  /** The action statement's `environment` (literal or template). */
  environment?: string;
  /** The run's override (`coffer action run --env`). */
  runEnvironment?: string;
  /** The workflow's default environment. */
  workflowEnvironment?: string;
  runId?: string;
  actor: Actor;
  timeoutMs?: number;
  /** `mask_output: true`: every leaf of the result is masked. */
  maskOutput?: boolean;
  signal?: AbortSignal;
  /** Masked log lines and child output, as they happen. */
  onOutput?: (stream: "log" | "stdout" | "stderr", text: string) => void;
}

export interface WorkflowContext {
  ACTIONS?: unknown;
  TRIGGER?: unknown;
  ENV?: unknown;
  var?: unknown;
}

export type ActionRunResult =
  | { status: "succeeded"; environment: string; result: unknown }
  | {
      status: "failed";
      environment: string;
      error: { code: string; message: string; details?: Record<string, unknown> };
    };

/**
 * Runs between fetch and evaluation (AWS AssumeRole, OAuth refresh). May add values to the run's
 * secrets; every value it adds joins the mask set before anything can print it.
 */
export interface SecretPreprocessor {
  readonly name: string;
  process(input: PreprocessorInput): Promise<void>;
}

export interface PreprocessorInput {
  workspaceId: string;
  environment: string;
  actionId: string;
  /** The run the action belongs to (a workflow run's id for each of its actions). */
  runId: string;
  /** Secret name → key → value; a preprocessor may add keys or secrets. */
  secrets: Map<string, Record<string, string>>;
  signal: AbortSignal;
}
