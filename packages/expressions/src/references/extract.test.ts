import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError } from "../errors/expression-error.js";
import { contextReferences, extractReferences, secretPaths, variableNames } from "./extract.js";

const paths = (value: unknown) => secretPaths(extractReferences(value));

describe("extractReferences — reference §14.5", () => {
  test("T-EXP-01 one reference in text", () => {
    assert.deepEqual(paths("This is a ${{ SECRETS.my_secret.TEST_API_KEY_1 }} secret"), ["my_secret.TEST_API_KEY_1"]);
  });
  test("T-EXP-02 nested dicts and lists, two templates in one string, duplicates collapse, sorted", () => {
    const kwargs = {
      question_generation: {
        prompt: "This is a ${{ SECRETS.other_secret.test_api_key_2 }} and ${{ SECRETS.my_secret.TEST_API_KEY_1 }}",
        list: ["${{ SECRETS.my_secret.TEST_API_KEY_1 }}", { deep: "${{ SECRETS.other_secret.test_api_key_2 }}" }],
      },
      plain: "nothing here",
      number: 3,
    };
    assert.deepEqual(paths(kwargs), ["my_secret.TEST_API_KEY_1", "other_secret.test_api_key_2"]);
  });
  test("T-EXP-03 references inside a call with + operands", () => {
    assert.deepEqual(
      paths('${{ FN.to_base64(SECRETS.zendesk.ZENDESK_EMAIL + "/token:" + SECRETS.zendesk.ZENDESK_API_TOKEN) }}'),
      ["zendesk.ZENDESK_API_TOKEN", "zendesk.ZENDESK_EMAIL"],
    );
  });
  test("T-EXP-05/08 a one-segment reference is reported by its name", () => {
    const refs = extractReferences("Again, inline substitution ${{ SECRETS.my_secret }} like this   ");
    assert.equal(refs.secrets.length, 1);
    assert.equal(refs.secrets[0]?.name, "my_secret");
    assert.equal(refs.secrets[0]?.key, undefined);
    assert.equal(refs.secrets[0]?.path, "my_secret");
  });
  test("T-EXP-10 several arguments of FN.concat", () => {
    assert.deepEqual(paths("${{ FN.concat(SECRETS.a.K1, '-', SECRETS.a.K2, '-', SECRETS.b.K3) }}"), [
      "a.K1",
      "a.K2",
      "b.K3",
    ]);
  });
  test("T-EXP-11 whitespace and newlines inside the template", () => {
    assert.deepEqual(paths("${{  FN.to_base64(  SECRETS.a.K1  +\n  '-'  +  SECRETS.b.K2  )  }}"), ["a.K1", "b.K2"]);
  });
  test("T-EXP-12 several templates, unknown function names are fine", () => {
    assert.deepEqual(paths("before ${{ SECRETS.a.K1 }} mid ${{ FN.upper(SECRETS.b.K2) }} after"), ["a.K1", "b.K2"]);
  });
  test("T-EXP-13 dict keys and values", () => {
    const value = {
      "${{ FN.lower(SECRETS.a.K1) }}": "${{ SECRETS.b.K2 }}",
      k2: "${{ FN.len(SECRETS.c.K3) }}",
    };
    assert.deepEqual(paths(value), ["a.K1", "b.K2", "c.K3"]);
  });
  test("T-EXP-14 case is preserved", () => {
    assert.deepEqual(paths("${{ SECRETS.alpha_beta.GAMMA_DELTA + SECRETS.xYz.A_b1 }}"), [
      "alpha_beta.GAMMA_DELTA",
      "xYz.A_b1",
    ]);
  });
  test("T-EXP-15 duplicates collapse", () => {
    assert.deepEqual(paths("${{ SECRETS.a.K1 }} ${{ SECRETS.a.K1 }} ${{ SECRETS.a.K1 + SECRETS.b.K2 }}"), [
      "a.K1",
      "b.K2",
    ]);
  });
  test("T-EXP-16 text outside templates and string literals are not references", () => {
    assert.deepEqual(paths("SECRETS.a.K1 not inside template; and ${{ 'SECRETS.a.K1' }} as string"), []);
  });
  test("T-EXP-17 mixed nested object", () => {
    const value = {
      auth: { header: "Bearer ${{ SECRETS.alpha.KEY }}" },
      body: { text: "${{ FN.concat(SECRETS.beta.SECRET, FN.concat('x', SECRETS.gamma.TOKEN)) }}" },
      items: ["${{ SECRETS.alpha.KEY }}", ["${{ SECRETS.gamma.TOKEN if True else None }}"]],
    };
    assert.deepEqual(paths(value), ["alpha.KEY", "beta.SECRET", "gamma.TOKEN"]);
  });
  test("T-EXP-18 secrets and variables together", () => {
    let refs = extractReferences({
      auth: "${{ SECRETS.my_secret.API_KEY }}",
      endpoint: "${{ VARS.endpoints.production }}",
    });
    assert.deepEqual(secretPaths(refs), ["my_secret.API_KEY"]);
    assert.deepEqual(variableNames(refs), ["endpoints"]);
    refs = extractReferences({
      url: "${{ FN.concat(VARS.base_url, '/api/v1') }}",
      headers: { Authorization: "${{ SECRETS.auth.TOKEN }}", "X-API-Version": "${{ VARS.api_version }}" },
    });
    assert.deepEqual(secretPaths(refs), ["auth.TOKEN"]);
    assert.deepEqual(variableNames(refs), ["api_version", "base_url"]);
    refs = extractReferences({
      a: "${{ ACTIONS.x.result }}",
      b: "${{ TRIGGER.y }}",
      c: "${{ ENV.environment }}",
      d: "${{ var.item }}",
    });
    assert.deepEqual(refs.secrets, []);
    assert.deepEqual(refs.variables, []);
  });
  test("custom OAuth pseudo-secret names", () => {
    assert.deepEqual(paths("${{ SECRETS.custom_secureapp_oauth.CUSTOM_SECUREAPP_SERVICE_TOKEN }}"), [
      "custom_secureapp_oauth.CUSTOM_SECUREAPP_SERVICE_TOKEN",
    ]);
  });
});

describe("extractReferences — spans, fallbacks, locations", () => {
  test("each reference has its span in the string, its location and its fallback flag", () => {
    const source = "Bearer ${{ SECRETS.oauth.USER_TOKEN || SECRETS.oauth.SERVICE_TOKEN }}";
    const refs = extractReferences({ headers: { Authorization: source } });
    assert.equal(refs.secrets.length, 2);
    const [user, service] = refs.secrets;
    assert.equal(source.slice(user?.span.start, user?.span.end), "SECRETS.oauth.USER_TOKEN");
    assert.equal(source.slice(service?.span.start, service?.span.end), "SECRETS.oauth.SERVICE_TOKEN");
    assert.equal(user?.hasFallback, true);
    assert.equal(service?.hasFallback, false);
    assert.deepEqual(user?.location, ["headers", "Authorization"]);
    assert.equal(user?.expression, source);
  });
  test("a reference on the left of a chain of || has a fallback; one inside a call does not", () => {
    const refs = extractReferences("${{ SECRETS.a.K || SECRETS.b.K || 'd' }} ${{ FN.concat(SECRETS.c.K) || 'x' }}");
    assert.deepEqual(
      refs.secrets.map((r) => [r.path, r.hasFallback]),
      [
        ["a.K", true],
        ["b.K", true],
        ["c.K", false],
      ],
    );
  });
  test("references in dict keys have the key as their location", () => {
    const refs = extractReferences({ outer: { "${{ SECRETS.k.NAME }}": 1 } });
    assert.deepEqual(refs.secrets[0]?.location, ["outer", "${{ SECRETS.k.NAME }}"]);
  });
  test("VARS references carry name and key", () => {
    const refs = extractReferences("${{ VARS.endpoints.production }} ${{ VARS.flag }}");
    assert.deepEqual(
      refs.variables.map((v) => [v.name, v.key]),
      [
        ["endpoints", "production"],
        ["flag", undefined],
      ],
    );
  });
  test("a syntax error aborts extraction with its location", () => {
    assert.throws(
      () => extractReferences({ a: ["${{ SECRETS.my-secret.KEY }}"] }),
      (e: unknown) => e instanceof ExpressionError && e.code === "parse_error" && e.location.join("/") === "a/0",
    );
  });
  test("values that are not plain data are not walked", () => {
    assert.deepEqual(paths(new Map([["a", "${{ SECRETS.a.K }}"]])), []);
    assert.deepEqual(paths(42), []);
  });
});

describe("contextReferences", () => {
  test("every context's leading names, with the location of the string (dict keys included)", () => {
    const refs = contextReferences({
      a: ["${{ inputs.ip }} and ${{ steps.look.result.data[0].x }}"],
      "${{ ENV.environment }}": "${{ FN.concat(SECRETS.acme.K, ACTIONS.b.result) }}",
    });
    assert.deepEqual(
      refs.map((r) => [r.context, r.names.join("."), r.location.join("/")]),
      [
        ["inputs", "ip", "a/0"],
        ["steps", "look.result.data", "a/0"],
        ["ENV", "environment", "${{ ENV.environment }}"],
        ["SECRETS", "acme.K", "${{ ENV.environment }}"],
        ["ACTIONS", "b.result", "${{ ENV.environment }}"],
      ],
    );
  });
  test("a syntax error throws ExpressionError", () => {
    assert.throws(() => contextReferences("${{ inputs. }}"), ExpressionError);
  });
});
