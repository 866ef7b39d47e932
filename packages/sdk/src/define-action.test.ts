import assert from "node:assert/strict";
import { test } from "node:test";
import { defineAction, isActionDefinition, z } from "./index.js";

test("defineAction gives the action its id and a brand the registry recognises", async () => {
  const ping = defineAction({
    namespace: "tools.acme",
    name: "ping",
    title: "Ping",
    args: z.object({ host: z.string() }),
    secrets: [{ name: "acme", keys: ["ACME_TOKEN"] }],
    handler: async (args) => ({ pong: args.host }),
  });
  assert.equal(ping.id, "tools.acme.ping");
  assert.equal(isActionDefinition(ping), true);
  assert.equal(isActionDefinition({ ...ping }), true, "a spread copy keeps the symbol-keyed brand");
  assert.equal(isActionDefinition({ id: "tools.acme.ping" }), false);
  assert.ok(Object.isFrozen(ping) && Object.isFrozen(ping.secrets), "a definition cannot be changed after load");
});
