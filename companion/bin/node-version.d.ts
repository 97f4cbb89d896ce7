export declare const NEEDS_NODE_MAJOR: number;
/** A message naming the Node.js the companion needs, or undefined when `version` is new enough. */
export declare function nodeVersionProblem(version: string): string | undefined;
