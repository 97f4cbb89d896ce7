/** The floor when the package's engines cannot be read. */
export declare const NEEDS_NODE_MAJOR: number;
/** `engines.node` of the package this file ships in, as [major, minor]. */
export declare function requiredNode(packageJsonUrl?: URL): [number, number];
/** A message naming the Node.js the companion needs, or undefined when `version` is new enough. */
export declare function nodeVersionProblem(version: string, required?: readonly [number, number]): string | undefined;
