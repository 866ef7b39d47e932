import { randomUUID } from "node:crypto";
import { type Coffer, CofferError, createLogger, decodeUtf8Value, type LogLevel } from "@coffer/core";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from "fastify-type-provider-zod";
import type { DestinationStream } from "pino";
import { createRunManager, type RunManagerOptions } from "../runs/run-manager.js";
import { openRuntime, type RuntimeContext } from "../runtime-context.js";
import { installAuth } from "./auth.js";
import { clientErrorHandler, frameworkErrors, installErrorHandlers, MAX_PARAM_LENGTH } from "./errors.js";
import { LOG_SERIALIZERS } from "./log-serializers.js";
import { auditRoutes } from "./routes/audit.routes.js";
import { awsAssumeRoleRoutes } from "./routes/aws-assume-role.routes.js";
import { environmentsRoutes } from "./routes/environments.routes.js";
import { metaRoutes } from "./routes/meta.routes.js";
import { runsRoutes } from "./routes/runs.routes.js";
import { secretDefinitionsRoutes } from "./routes/secret-definitions.routes.js";
import { secretsRoutes } from "./routes/secrets.routes.js";
import { tokensRoutes } from "./routes/tokens.routes.js";
import { variablesRoutes } from "./routes/variables.routes.js";
import { workflowsRoutes } from "./routes/workflows.routes.js";
import { serializerCompiler } from "./serializer.js";
import { webRoutes } from "./web.js";

export interface BuildAppOptions {
  /** false: no logging. Otherwise pino at `level` (default the config's COFFER_LOG_LEVEL), to `stream` (default stdout). */
  logger?: false | { level?: string; stream?: DestinationStream };
  /** Largest request body in bytes (default 1 MiB, more when COFFER_MAX_VALUE_BYTES needs it); larger → 413. */
  bodyLimit?: number;
  /** Denied requests from one source within this window share one audit row (default 10 s; 0: a row each). */
  deniedAuditWindowMs?: number;
  /** The action runtime (registry, sandbox); opened from the config when absent, and closed with the app. */
  runtime?: RuntimeContext;
  /** Options of the workflow runs this app executes (tests shorten retry delays). */
  runs?: RunManagerOptions;
  /** The web UI's build folder to serve at `/` (packages/web/dist/app); none when absent or null. */
  web?: string | null;
}

/** A registered route and the least role it needs ("public": no token). */
export interface RouteEntry {
  method: string;
  url: string;
  role: "public" | "viewer" | "editor" | "admin";
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered, as method + url + role. */
    routeTable: readonly RouteEntry[];
  }
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Deepest nesting of any request body (a variable value may nest 32 levels inside its body). */
export const MAX_BODY_DEPTH = 64;

/** True when `value` nests deeper than `limit`; counted without recursion. */
function tooDeep(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(node))
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

const BODYLESS_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS"]);

type OpenApiDocument = { components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;

/** Drops component schemas nothing refers to (the zod registry adds an `…Input` twin of each). */
function withoutUnusedSchemas(document: OpenApiDocument): OpenApiDocument {
  const schemas = document.components?.schemas;
  if (!schemas) return document;
  const used = new Set<string>();
  let grew = true;
  const refs = (value: unknown) => {
    for (const match of JSON.stringify(value).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      if (match[1] && !used.has(match[1])) {
        used.add(match[1]);
        grew = true;
      }
    }
  };
  refs({ ...document, components: { ...document.components, schemas: {} } });
  while (grew) {
    grew = false;
    for (const name of [...used]) refs(schemas[name]);
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...document.components, schemas: kept } };
}

/** The HTTP API on one Coffer, ready for `inject` or `listen`. Never listens itself. */
export async function buildApp(coffer: Coffer, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  // The process's one logger (made by core); a test may give its own stream instead.
  const level = options.logger === false ? "silent" : (options.logger?.level ?? coffer.config.log.level);
  // biome-ignore lint/suspicious/noExplicitAny: pino's serializer type
  const httpSerializers = LOG_SERIALIZERS as Record<string, (value: any) => unknown>;
  const logger =
    options.logger === false
      ? undefined
      : options.logger?.stream
        ? createLogger({ level: level as LogLevel, stream: options.logger.stream, serializers: httpSerializers })
        : coffer.logger.child({}, { level, serializers: httpSerializers });
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as unknown as FastifyBaseLogger } : { logger: false }),
    logController: new LogController({ requestIdLogLabel: "request_id" }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Room for a structured secret's two largest values, JSON-escaped, but no more.
    bodyLimit: options.bodyLimit ?? Math.max(DEFAULT_BODY_LIMIT, coffer.config.store.maxValueBytes * 3),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    // Every error in our `{error:{…}}` format, also those raised before routing or by the HTTP parser.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  });
  // Every route as registered (the docs plugin's too), with the role it declares: for the route matrix.
  const routeTable: RouteEntry[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      routeTable.push({ method: String(method), url: route.url, role: route.config?.role ?? "public" });
    }
  });
  app.decorate("routeTable", routeTable);
  // JSON only: a text body would otherwise reach the schema as a string.
  app.removeContentTypeParser("text/plain");
  // Many clients send `Content-Type: application/json` on a DELETE (or GET) with no body: that is
  // no body, not an empty JSON document. Everything else goes through Fastify's own JSON parser.
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, bytes, done) => {
    if (bytes.length === 0 && BODYLESS_METHODS.has(request.method)) {
      done(null, undefined);
      return;
    }
    // Invalid UTF-8 would otherwise be decoded with U+FFFD in place of the bad bytes and stored.
    let body: string;
    try {
      body = decodeUtf8Value(bytes as Buffer, "The request body");
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    json(request, body, (error, parsed) => {
      if (error) return done(error, undefined);
      // Schema validation recurses: a body nested thousands deep must be refused before it.
      if (tooDeep(parsed, MAX_BODY_DEPTH)) {
        return done(
          new CofferError(
            "value_too_deep",
            `The request body nests lists or objects more than ${MAX_BODY_DEPTH} levels deep; no route accepts that.`,
            { status: 422, details: { max_depth: MAX_BODY_DEPTH } },
          ),
          undefined,
        );
      }
      done(null, parsed);
    });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A callback hook, not an async one: no promise per reply.
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", String(request.id));
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    done(null, payload);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Coffer API",
        version: "1",
        description: "Secrets store for security automation. Values are write-only: no route returns a secret value.",
        license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
      },
      servers: [
        { url: "http://127.0.0.1:8080", description: "`coffer serve` at its default COFFER_HOST and COFFER_PORT" },
      ],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
    transformObject: (input) =>
      withoutUnusedSchemas(jsonSchemaTransformObject(input) as OpenApiDocument) as ReturnType<
        typeof jsonSchemaTransformObject
      >,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/v1/docs" });

  installErrorHandlers(app);
  installAuth(
    app,
    coffer,
    options.deniedAuditWindowMs !== undefined ? { deniedWindowMs: options.deniedAuditWindowMs } : {},
  );
  let runtime = options.runtime;
  let ownRuntime: RuntimeContext | undefined;
  if (!runtime) {
    ownRuntime = await openRuntime(coffer.config, { warn: (message) => app.log.warn(message) });
    runtime = ownRuntime;
  }
  const runs = createRunManager(coffer, runtime, options.runs);
  // In-flight runs end (cancelled, stored) before the registry they run on closes.
  app.addHook("onClose", async () => {
    await runs.close();
    await ownRuntime?.close();
  });
  for (const error of runtime.registry.errors) {
    app.log.warn({ file: error.file, field: error.field, code: error.code }, `action not loaded: ${error.message}`);
  }
  metaRoutes(app, coffer);
  secretDefinitionsRoutes(app, coffer, runtime.registry);
  awsAssumeRoleRoutes(app, runtime.awsIdentity);
  secretsRoutes(app, coffer);
  variablesRoutes(app, coffer);
  environmentsRoutes(app, coffer);
  tokensRoutes(app, coffer);
  auditRoutes(app, coffer);
  // Runs left `running` by a process that died are marked interrupted before this one runs any.
  const interrupted = await coffer.runs.recoverInterrupted();
  if (interrupted > 0) app.log.warn({ runs: interrupted }, "runs of a stopped process marked failed (interrupted)");
  workflowsRoutes(app, coffer, runtime.registry, runs);
  runsRoutes(app, coffer, runs);
  if (options.web) webRoutes(app, options.web);
  await app.ready();
  return app;
}
