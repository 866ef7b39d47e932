// Parse+evaluate throughput of 20 realistic templates (secrets, JSONPath, FN calls,
// interpolation), against a floor measured in the same run — hand-written JavaScript computing
// the same 20 results — and against n8n's expression engine on the same data.
// Run: npm run bench -- expressions
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { evaluate } from "../src/index.js";

const root = new URL("../../../../", import.meta.url).pathname;
const peersDir = join(root, "bench", "peers");

const alerts = Array.from({ length: 10 }, (_, i) => ({
  id: `A-${i}`,
  severity: i % 3 === 0 ? "high" : "low",
  host: { name: `host-${i}.corp` },
  tags: ["edr", `rule-${i}`, "triage"],
}));

const data = {
  SECRETS: {
    slack: { SLACK_BOT_TOKEN: "xoxb-111" },
    zendesk: { ZENDESK_EMAIL: "ops@example.com", ZENDESK_API_TOKEN: "zd-token" },
    github_oauth: { GITHUB_SERVICE_TOKEN: "ghs-svc" },
  },
  VARS: { endpoints: { production: "https://api.example.com" }, api_version: "v2" },
  ACTIONS: {
    alerts: { result: alerts },
    lookup: { result: { data: { attributes: { last_analysis_stats: { malicious: 3, harmless: "60" } } } } },
  },
  TRIGGER: {
    alert: { id: "A-1", severity: "high", src_ip: "10.0.0.1", user: { email: "Ann@Example.COM" }, tags: ["critical"] },
  },
  ENV: { environment: "prod" },
};
type Data = typeof data;

interface Case {
  readonly coffer: string;
  readonly n8n: string;
  readonly native: (d: Data) => unknown;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const J = "$json";

const cases: Case[] = [
  {
    coffer: "Bearer ${{ SECRETS.slack.SLACK_BOT_TOKEN }}",
    n8n: `=Bearer {{ ${J}.SECRETS.slack.SLACK_BOT_TOKEN }}`,
    native: (d) => `Bearer ${d.SECRETS.slack.SLACK_BOT_TOKEN}`,
  },
  {
    coffer: "${{ FN.to_base64(SECRETS.zendesk.ZENDESK_EMAIL + '/token:' + SECRETS.zendesk.ZENDESK_API_TOKEN) }}",
    n8n: `={{ (${J}.SECRETS.zendesk.ZENDESK_EMAIL + '/token:' + ${J}.SECRETS.zendesk.ZENDESK_API_TOKEN).base64Encode() }}`,
    native: (d) =>
      Buffer.from(`${d.SECRETS.zendesk.ZENDESK_EMAIL}/token:${d.SECRETS.zendesk.ZENDESK_API_TOKEN}`).toString("base64"),
  },
  {
    coffer: "${{ SECRETS.github_oauth.GITHUB_USER_TOKEN || SECRETS.github_oauth.GITHUB_SERVICE_TOKEN }}",
    n8n: `={{ ${J}.SECRETS.github_oauth.GITHUB_USER_TOKEN || ${J}.SECRETS.github_oauth.GITHUB_SERVICE_TOKEN }}`,
    native: (d) =>
      (d.SECRETS.github_oauth as Record<string, string>).GITHUB_USER_TOKEN ||
      d.SECRETS.github_oauth.GITHUB_SERVICE_TOKEN,
  },
  {
    coffer: "${{ VARS.endpoints.production }}/api/${{ VARS.api_version }}/alerts/${{ TRIGGER.alert.id }}",
    n8n: `={{ ${J}.VARS.endpoints.production }}/api/{{ ${J}.VARS.api_version }}/alerts/{{ ${J}.TRIGGER.alert.id }}`,
    native: (d) => `${d.VARS.endpoints.production}/api/${d.VARS.api_version}/alerts/${d.TRIGGER.alert.id}`,
  },
  {
    coffer: "${{ ACTIONS.alerts.result[*].id }}",
    n8n: `={{ ${J}.ACTIONS.alerts.result.map(a => a.id) }}`,
    native: (d) => d.ACTIONS.alerts.result.map((a) => a.id),
  },
  {
    coffer: "${{ ACTIONS.alerts.result[?(@.severity == 'high')].id }}",
    n8n: `={{ ${J}.ACTIONS.alerts.result.filter(a => a.severity == 'high').map(a => a.id) }}`,
    native: (d) => d.ACTIONS.alerts.result.filter((a) => a.severity === "high").map((a) => a.id),
  },
  {
    coffer: "${{ ACTIONS.lookup.result.data.attributes.last_analysis_stats.malicious > 0 }}",
    n8n: `={{ ${J}.ACTIONS.lookup.result.data.attributes.last_analysis_stats.malicious > 0 }}`,
    native: (d) => d.ACTIONS.lookup.result.data.attributes.last_analysis_stats.malicious > 0,
  },
  {
    coffer: "${{ 'p1' if TRIGGER.alert.severity == 'high' else 'p3' }}",
    n8n: `={{ ${J}.TRIGGER.alert.severity == 'high' ? 'p1' : 'p3' }}`,
    native: (d) => (d.TRIGGER.alert.severity === "high" ? "p1" : "p3"),
  },
  {
    coffer: "${{ FN.lowercase(TRIGGER.alert.user.email) }}",
    n8n: `={{ ${J}.TRIGGER.alert.user.email.toLowerCase() }}`,
    native: (d) => d.TRIGGER.alert.user.email.toLowerCase(),
  },
  {
    coffer: "${{ FN.length(ACTIONS.alerts.result) }}",
    n8n: `={{ ${J}.ACTIONS.alerts.result.length }}`,
    native: (d) => d.ACTIONS.alerts.result.length,
  },
  {
    coffer:
      "Alert ${{ TRIGGER.alert.id }} on ${{ ACTIONS.alerts.result[0].host.name }} (${{ TRIGGER.alert.severity }})",
    n8n: `=Alert {{ ${J}.TRIGGER.alert.id }} on {{ ${J}.ACTIONS.alerts.result[0].host.name }} ({{ ${J}.TRIGGER.alert.severity }})`,
    native: (d) =>
      `Alert ${d.TRIGGER.alert.id} on ${d.ACTIONS.alerts.result[0]?.host.name} (${d.TRIGGER.alert.severity})`,
  },
  {
    coffer: "${{ FN.join(ACTIONS.alerts.result[0].tags, ', ') }}",
    n8n: `={{ ${J}.ACTIONS.alerts.result[0].tags.join(', ') }}`,
    native: (d) => d.ACTIONS.alerts.result[0]?.tags.join(", "),
  },
  {
    coffer: "${{ FN.format('{} alerts in {}', FN.length(ACTIONS.alerts.result), ENV.environment) }}",
    n8n: `={{ ${J}.ACTIONS.alerts.result.length + ' alerts in ' + ${J}.ENV.environment }}`,
    native: (d) => `${d.ACTIONS.alerts.result.length} alerts in ${d.ENV.environment}`,
  },
  {
    coffer: "${{ FN.hash_sha256(TRIGGER.alert.src_ip) }}",
    n8n: `={{ ${J}.TRIGGER.alert.src_ip.hash('sha256') }}`,
    native: (d) => sha256(d.TRIGGER.alert.src_ip),
  },
  {
    coffer: "${{ TRIGGER.alert.src_ip in ['10.0.0.1', '10.0.0.2'] }}",
    n8n: `={{ ['10.0.0.1', '10.0.0.2'].includes(${J}.TRIGGER.alert.src_ip) }}`,
    native: (d) => ["10.0.0.1", "10.0.0.2"].includes(d.TRIGGER.alert.src_ip),
  },
  {
    coffer: "${{ FN.concat('x-', ENV.environment, '-', TRIGGER.alert.id) }}",
    n8n: `={{ 'x-' + ${J}.ENV.environment + '-' + ${J}.TRIGGER.alert.id }}`,
    native: (d) => `x-${d.ENV.environment}-${d.TRIGGER.alert.id}`,
  },
  {
    coffer: "${{ int(ACTIONS.lookup.result.data.attributes.last_analysis_stats.harmless) + 1 }}",
    n8n: `={{ parseInt(${J}.ACTIONS.lookup.result.data.attributes.last_analysis_stats.harmless) + 1 }}`,
    native: (d) => Number.parseInt(d.ACTIONS.lookup.result.data.attributes.last_analysis_stats.harmless, 10) + 1,
  },
  {
    coffer: "${{ FN.is_null(ACTIONS.missing.result) }}",
    n8n: `={{ (${J}.ACTIONS.missing || {}).result == null }}`,
    native: (d) => (d.ACTIONS as Record<string, { result?: unknown } | undefined>).missing?.result == null,
  },
  {
    coffer: "${{ FN.contains('critical', TRIGGER.alert.tags) && TRIGGER.alert.severity == 'high' }}",
    n8n: `={{ ${J}.TRIGGER.alert.tags.includes('critical') && ${J}.TRIGGER.alert.severity == 'high' }}`,
    native: (d) => d.TRIGGER.alert.tags.includes("critical") && d.TRIGGER.alert.severity === "high",
  },
  {
    coffer: "${{ FN.serialize_json({'id': TRIGGER.alert.id, 'severity': TRIGGER.alert.severity}) }}",
    n8n: `={{ JSON.stringify({id: ${J}.TRIGGER.alert.id, severity: ${J}.TRIGGER.alert.severity}) }}`,
    native: (d) => JSON.stringify({ id: d.TRIGGER.alert.id, severity: d.TRIGGER.alert.severity }),
  },
];

// --- n8n peer --------------------------------------------------------------------------------

type N8nEvaluate = (expression: string) => unknown;

function loadN8n(): { evaluate: N8nEvaluate } | { error: string } {
  if (!existsSync(join(peersDir, "node_modules", "n8n-workflow"))) {
    console.log("installing bench/peers (n8n-workflow, --ignore-scripts)…");
    const r = spawnSync("npm", ["i", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", peersDir], {
      cwd: root,
      stdio: "inherit",
    });
    if (r.status !== 0) return { error: `npm i --prefix bench/peers failed with status ${r.status}` };
  }
  try {
    const require = createRequire(join(peersDir, "package.json"));
    const { Workflow } = require("n8n-workflow") as {
      Workflow: new (
        params: unknown,
      ) => {
        expression: {
          getParameterValue(
            value: string,
            run: null,
            runIndex: number,
            itemIndex: number,
            node: string,
            items: unknown[],
            mode: string,
            keys: object,
          ): unknown;
        };
      };
    };
    const nodeType = { description: { properties: [] } };
    const workflow = new Workflow({
      id: "bench",
      nodes: [{ id: "n1", name: "Node", type: "bench.node", typeVersion: 1, position: [0, 0], parameters: {} }],
      connections: {},
      active: false,
      nodeTypes: { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) },
    });
    const items = [{ json: data }];
    return { evaluate: (e) => workflow.expression.getParameterValue(e, null, 0, 0, "Node", items, "manual", {}) };
  } catch (error) {
    return { error: `n8n-workflow could not be loaded: ${(error as Error).message}` };
  }
}

// --- measurement -----------------------------------------------------------------------------

/** Best time of one pass over all 20 cases, in microseconds. */
function measure(pass: () => void, minMs = 400, rounds = 5): number {
  for (let i = 0; i < 20; i++) pass();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      pass();
      n++;
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    best = Math.min(best, (elapsed * 1000) / n);
  }
  return best;
}

function main(): void {
  const coffer = cases.map((c) => evaluate(c.coffer, data));
  const expected = cases.map((c) => c.native(data));
  const mismatch = cases.findIndex((_, i) => !isDeepStrictEqual(coffer[i], expected[i]));
  if (mismatch !== -1) {
    console.error(`case ${mismatch + 1} differs from the floor's result:`, coffer[mismatch], expected[mismatch]);
    process.exit(1);
  }
  const n8n = loadN8n();
  let n8nSame = 0;
  if ("evaluate" in n8n) {
    cases.forEach((c, i) => {
      const got = n8n.evaluate(c.n8n);
      if (isDeepStrictEqual(got, expected[i])) n8nSame++;
      else console.log(`  note: n8n result of case ${i + 1} differs: ${JSON.stringify(got)}`);
    });
  }

  let sink = 0;
  const floor = measure(() => {
    for (const c of cases) if (c.native(data) !== undefined) sink++;
  });
  const cached = measure(() => {
    for (const c of cases) if (evaluate(c.coffer, data) !== undefined) sink++;
  });
  const uncached = measure(() => {
    for (const c of cases) if (evaluate(c.coffer, data, { cache: false }) !== undefined) sink++;
  });
  const n8nTime =
    "evaluate" in n8n
      ? measure(() => {
          for (const c of cases) if (n8n.evaluate(c.n8n) !== undefined) sink++;
        })
      : undefined;

  const row = (label: string, us: number) =>
    console.log(
      `  ${label.padEnd(58)} ${us.toFixed(2).padStart(9)} µs/pass  ${(us / 20).toFixed(3).padStart(8)} µs/template  ${(us / floor).toFixed(1).padStart(7)}× floor`,
    );
  console.log(
    `expressions: 20 realistic templates per pass (secrets, JSONPath, FN calls, interpolation); same data, same run`,
  );
  row("floor: hand-written JS computing the same 20 results", floor);
  row("coffer evaluate (parse once, evaluate many: cached)", cached);
  row("coffer parse + evaluate (cache off: parse every time)", uncached);
  if (n8nTime !== undefined) {
    row(`n8n-workflow 1.120.31 getParameterValue (${n8nSame}/20 same results)`, n8nTime);
    console.log(
      `  coffer vs n8n: ${(n8nTime / cached).toFixed(1)}× faster cached, ${(n8nTime / uncached).toFixed(1)}× faster parsing every time (target ≥ 10×)`,
    );
  } else {
    console.log(`  n8n peer not measured: ${"error" in n8n ? n8n.error : "unknown"}`);
  }
  if (sink < 0) console.log(sink);
}

main();
