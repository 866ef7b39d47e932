import { randomUUID } from "node:crypto";
import type { Coffer } from "@coffer/core";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import type { DestinationStream } from "pino";
import { installAuth } from "./auth.js";
import { installErrorHandlers } from "./errors.js";
import { LOG_REDACT, LOG_SERIALIZERS } from "./log-serializers.js";
import { environmentsRoutes } from "./routes/environments.routes.js";
import { metaRoutes } from "./routes/meta.routes.js";
import { secretsRoutes } from "./routes/secrets.routes.js";
import { tokensRoutes } from "./routes/tokens.routes.js";
import { variablesRoutes } from "./routes/variables.routes.js";

export interface BuildAppOptions {
  /** false: no logging. Otherwise pino at `level` (default the config's COFFER_LOG_LEVEL), to `stream` (default stdout). */
  logger?: false | { level?: string; stream?: DestinationStream };
  /** Largest request body in bytes (default 1 MiB, more when COFFER_MAX_VALUE_BYTES needs it); larger → 413. */
  bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The HTTP API on one Coffer, ready for `inject` or `listen`. Never listens itself. */
export async function buildApp(coffer: Coffer, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const logger =
    options.logger === false
      ? false
      : {
          level: options.logger?.level ?? coffer.config.log.level,
          ...(options.logger?.stream ? { stream: options.logger.stream } : {}),
          // Errors as type/code/status only (a client error's rawPacket holds tokens and bodies),
          // requests as method and URL only.
          redact: LOG_REDACT,
          // (fastify's types want an error's message and stack logged: exactly what must not be)
          serializers: LOG_SERIALIZERS as never,
        };
  const app = Fastify({
    logger,
    logController: new LogController({ requestIdLogLabel: "request_id" }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Room for a structured secret's two largest values, JSON-escaped, but no more.
    bodyLimit: options.bodyLimit ?? Math.max(DEFAULT_BODY_LIMIT, coffer.config.store.maxValueBytes * 3),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
  });
  // JSON only: a text body would otherwise reach the schema as a string.
  app.removeContentTypeParser("text/plain");
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-request-id", String(request.id));
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    return payload;
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Coffer API",
        version: "1",
        description: "Secrets store for security automation. Values are write-only: no route returns a secret value.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/v1/docs" });

  installErrorHandlers(app);
  installAuth(app, coffer);
  metaRoutes(app, coffer);
  secretsRoutes(app, coffer);
  variablesRoutes(app, coffer);
  environmentsRoutes(app, coffer);
  tokensRoutes(app, coffer);
  await app.ready();
  return app;
}
