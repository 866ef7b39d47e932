// The FN library: every Tracecat expression function (reference tracecat-functions.md) except
// get_interaction, in Tracecat's group order.
import type { FunctionDefinition } from "../function-definition.js";
import { arrayFunctions } from "./arrays.js";
import { comparisonFunctions, logicalFunctions } from "./comparison.js";
import { base64Functions, hashFunctions } from "./encoding.js";
import { formatterFunctions } from "./formatters.js";
import { ioFunctions } from "./io.js";
import { iocFunctions } from "./ioc/index.js";
import { ipFunctions } from "./ip.js";
import { generatorFunctions, iterationFunctions } from "./iteration.js";
import { jsonFunctions } from "./json.js";
import { mathFunctions } from "./math.js";
import { regexFunctions } from "./regex.js";
import { serializationFunctions } from "./serialization.js";
import { stringFunctions } from "./strings.js";
import { timeFunctions } from "./time.js";

export const libraryFunctions: readonly FunctionDefinition[] = [
  ...ioFunctions,
  ...stringFunctions,
  ...comparisonFunctions,
  ...regexFunctions,
  ...arrayFunctions,
  ...mathFunctions,
  ...iterationFunctions,
  ...generatorFunctions,
  ...jsonFunctions,
  ...formatterFunctions,
  ...logicalFunctions,
  ...serializationFunctions,
  ...timeFunctions,
  ...base64Functions,
  ...hashFunctions,
  ...ipFunctions,
  ...iocFunctions,
];

export { PyDate, PyDateTime, PyTime, PyTimeDelta } from "./datetime-values.js";
