/**
 * What an action author writes: `defineAction({...})`. The SDK only shapes and brands the
 * definition; the registry validates it at load and names the file and field of every problem,
 * so an author sees all of them at once rather than the first exception thrown at import.
 */
import { z } from "zod";
import type { SecretDeclaration } from "./secret-types.js";

export { z };

/** The secrets of this run, in the action's environment. Values are already in the mask set. */
export interface ActionSecrets {
  /** Tracecat's flat access: the key from whichever declared secret has it; missing → an error naming the key and the declared secrets. */
  get(key: string): string;
  getOrDefault<T>(key: string, fallback: T): string | T;
  /** One secret's keys by secret name; missing → an error naming the secret and the environment. */
  of(name: string): Readonly<Record<string, string>>;
}

export type LogFields = Record<string, unknown>;

/** A logger whose every line passes the run's masker. */
export interface ActionLog {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface ActionContext {
  readonly secrets: ActionSecrets;
  readonly log: ActionLog;
  /** Aborted when the action's timeout passes or the run is cancelled. */
  readonly signal: AbortSignal;
  /** The environment the secrets were resolved in. */
  readonly environment: string;
  readonly runId: string;
  readonly actionId: string;
}

export interface ActionSpec<Args extends z.ZodType = z.ZodType, Result = unknown> {
  /** Dotted lower-case words: `core`, `tools.acme`. The action id is `<namespace>.<name>`. */
  namespace: string;
  name: string;
  title: string;
  description?: string;
  display_group?: string;
  args: Args;
  secrets?: readonly SecretDeclaration[];
  handler: (args: z.output<Args>, ctx: ActionContext) => Result | Promise<Result>;
}

/** Shared across copies of this module (a custom action may bundle its own), so `Symbol.for`. */
export const ACTION_BRAND: unique symbol = Symbol.for("coffer.action") as never;

export type ActionDefinition<Args extends z.ZodType = z.ZodType, Result = unknown> = Readonly<
  ActionSpec<Args, Result>
> & {
  readonly id: string;
  readonly [ACTION_BRAND]: true;
};

export function defineAction<Args extends z.ZodType, Result>(
  spec: ActionSpec<Args, Result>,
): ActionDefinition<Args, Result> {
  return Object.freeze({
    ...spec,
    secrets: Object.freeze([...(spec.secrets ?? [])]),
    id: `${spec.namespace}.${spec.name}`,
    [ACTION_BRAND]: true as const,
  });
}

export function isActionDefinition(value: unknown): value is ActionDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ACTION_BRAND] === true;
}

/** `core`, `tools.acme`, `tools.acme_corp`: dotted words of lower-case letters, digits and `_`. */
export const ACTION_NAMESPACE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
export const ACTION_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
