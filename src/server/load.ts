/** The real loader: TokenClassifier.load, imported lazily so the HTTP layer loads without the addon. */
import type { LoadOptions } from "../types.js";
import type { ClassifierLoader, CliClassifier } from "./contract.js";

export const loadTokenClassifier: ClassifierLoader = (modelDir, options) => loadCliClassifier(modelDir, options);

export async function loadCliClassifier(modelDir: string | undefined, options: LoadOptions): Promise<CliClassifier> {
  const { TokenClassifier } = await import("../index.js");
  return TokenClassifier.load(modelDir, options);
}
