import { createRequire } from "node:module";
import type pinoModule from "pino";
import type { DestinationStream, Logger } from "pino";
import type { LogLevel } from "../config/config.js";

/**
 * pino (with its streams, worker support and redaction) loads when the first logger is made: a
 * CLI command that logs nothing never loads it.
 */
let loadedPino: typeof pinoModule | undefined;
function loadPino(): typeof pinoModule {
  loadedPino ??= createRequire(import.meta.url)("pino") as typeof pinoModule;
  return loadedPino;
}

export type { Logger } from "pino";

/**
 * An error as a log line may show it: its class, stable code and status. Never its message
 * (driver and parser messages quote data), its stack's locals, or attached buffers.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!error || typeof error !== "object") return { type: typeof error };
  const e = error as { name?: unknown; code?: unknown; status?: unknown; statusCode?: unknown };
  return {
    type: typeof e.name === "string" ? e.name : "Error",
    ...(typeof e.code === "string" || typeof e.code === "number" ? { code: e.code } : {}),
    ...(typeof e.status === "number" ? { status: e.status } : {}),
    ...(typeof e.statusCode === "number" ? { statusCode: e.statusCode } : {}),
  };
}

/** Fields that must never reach a line, even if a serializer is bypassed. */
const REDACTED_PATHS = [
  "*.authorization",
  "req.headers.authorization",
  "headers.authorization",
  "*.rawPacket",
  "rawPacket",
  "*.token",
  "*.password",
  "*.value",
  "*.values",
];

let stderrDestination: DestinationStream | undefined;
/** One stderr destination per process, however many Coffers it opens (tests open many). */
function stderr(): DestinationStream {
  stderrDestination ??= loadPino().destination({ dest: 2, sync: true });
  return stderrDestination;
}

/**
 * Where the action runtime puts each running action's masker, so every log line of the process
 * passes the masks of the runs in flight on its way out, whatever code wrote it.
 */
export interface LogMasks {
  /** Adds a run's mask; call the returned function when the run ends. */
  add(mask: (line: string) => string): () => void;
}

/**
 * A destination that passes every line through the masks added, costing nothing when none is.
 * `destination` is asked for at the first line.
 */
function maskedDestination(destination: () => DestinationStream): { stream: DestinationStream; masks: LogMasks } {
  const active = new Set<(line: string) => string>();
  let target: DestinationStream | undefined;
  const stream: DestinationStream = {
    write(line: string) {
      let out = line;
      for (const mask of active) out = mask(out);
      target ??= destination();
      return target.write(out);
    },
  };
  return {
    stream,
    masks: {
      add(mask) {
        const entry = (line: string) => mask(line);
        active.add(entry);
        return () => active.delete(entry);
      },
    },
  };
}

/**
 * The one logger of a Coffer process: every part logs through it (or a child of it), so the
 * runtime's masker can sit in its stream as a last line of defence. Code never logs a value.
 */
export function createLogger(options: {
  level: LogLevel;
  stream?: DestinationStream;
  base?: Record<string, unknown>;
  /** Extra serializers of a part (the HTTP server's request and reply shapes). */
  // biome-ignore lint/suspicious/noExplicitAny: pino's serializer type
  serializers?: Record<string, (value: any) => unknown>;
}): Logger {
  return createMaskedLogger(options).logger;
}

/**
 * The logger with the slot its runs' masks go in (see LogMasks). The logger is made (and pino
 * loaded) on the first read of `logger`.
 */
export function createMaskedLogger(options: Parameters<typeof createLogger>[0]): {
  readonly logger: Logger;
  masks: LogMasks;
} {
  const given = options.stream;
  const { stream, masks } = maskedDestination(given ? () => given : stderr);
  let logger: Logger | undefined;
  return {
    get logger() {
      logger ??= loadPino()(
        {
          level: options.level,
          base: options.base ?? { pid: process.pid },
          serializers: { err: serializeError, error: serializeError, ...(options.serializers ?? {}) },
          redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
        },
        stream,
      );
      return logger;
    },
    masks,
  };
}
