import { allFunctions } from "./all-functions.js";
import { createRegistry, type FunctionRegistry } from "./registry.js";

/** The registry `evaluate` and `check` use unless given another: starter set plus FN library. */
export const defaultRegistry: FunctionRegistry = createRegistry(allFunctions);
