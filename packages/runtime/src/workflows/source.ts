import { CofferError } from "@coffer/core";
import { parse as parseYaml, YAMLParseError } from "yaml";

/**
 * A workflow file's text (YAML, or JSON, which is YAML) as plain data: what a deployment stores
 * as the parsed definition and later hands to `loadWorkflow`.
 */
export function parseWorkflowSource(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      throw new CofferError("workflow_invalid", `The workflow file is not valid YAML: ${error.message}`);
    }
    throw error;
  }
}
