import fastJsonStringify from "fast-json-stringify";
import type { FastifySerializerCompiler } from "fastify/types/schema.js";
import { serializerCompiler as zodSerializerCompiler } from "fastify-type-provider-zod";
import { type ZodType, z } from "zod";

type JsonSchema = Record<string, unknown>;

/**
 * Responses are written by a serializer compiled from the route's zod schema (fast-json-stringify),
 * not by a zod parse and JSON.stringify per reply: a quarter of the work on a point read. Either
 * way only declared properties are written, so a field added to a service's object by mistake never
 * reaches a client. Schemas where the two could differ fall back to zod: unions (fast-json-stringify
 * picks a branch differently) and required properties of any type (zod lets them be absent).
 */
export const serializerCompiler: FastifySerializerCompiler<ZodType> = (route) => {
  // Compiled on a route's first reply with that status, not for every route and error status when
  // the app starts (most are never used by one process).
  let serialize: ((data: unknown) => string) | undefined;
  return (data) => {
    serialize ??= compileFast(route.schema) ?? zodSerializerCompiler(route);
    return serialize(data);
  };
};

function compileFast(schema: unknown): ((data: unknown) => string) | undefined {
  if (!(schema instanceof z.ZodType)) return undefined;
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { io: "output", target: "draft-7", unrepresentable: "throw", cycles: "throw" });
  } catch {
    return undefined;
  }
  json = nullablePrimitives(json) as JsonSchema;
  if (!plain(json)) return undefined;
  return fastJsonStringify(json as unknown as Parameters<typeof fastJsonStringify>[0]);
}

const PRIMITIVES = new Set(["string", "number", "integer", "boolean"]);

/** zod writes `.nullable()` of a primitive as anyOf [X, null]: the same as type [X, "null"]. */
function nullablePrimitives(node: unknown): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map(nullablePrimitives);
  const schema = node as JsonSchema;
  const branches = schema.anyOf as JsonSchema[] | undefined;
  if (branches?.length === 2) {
    const nullAt = branches.findIndex((branch) => Object.keys(branch).length === 1 && branch.type === "null");
    const other = nullAt === -1 ? undefined : branches[1 - nullAt];
    if (other && PRIMITIVES.has(other.type as string)) {
      const { anyOf: _anyOf, ...rest } = schema;
      return { ...rest, ...other, type: [other.type, "null"] };
    }
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, nullablePrimitives(value)]));
}

const BRANCHING = ["anyOf", "oneOf", "allOf", "not", "if", "then", "else"];

/** True when every part of the schema serializes the same through fast-json-stringify as through zod. */
function plain(node: unknown): boolean {
  if (node === null || typeof node !== "object") return true;
  if (Array.isArray(node)) return node.every(plain);
  const schema = node as JsonSchema;
  if (BRANCHING.some((keyword) => keyword in schema)) return false;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const required = (schema.required as string[] | undefined) ?? [];
  for (const name of required) {
    const property = properties?.[name];
    if (property === undefined || Object.keys(property).filter((k) => k !== "description").length === 0) return false;
  }
  return Object.values(schema).every(plain);
}
