// The oldest Node.js the companion runs on. Kept in plain JavaScript with no imports, so that it
// runs (and explains itself) on any Node.js a user might still have.
export const NEEDS_NODE_MAJOR = 22;

/** A message naming the Node.js the companion needs, or undefined when `version` is new enough. */
export function nodeVersionProblem(version) {
  const major = Number(String(version).replace(/^v/, '').split('.')[0]);
  if (Number.isInteger(major) && major >= NEEDS_NODE_MAJOR) return undefined;
  return (
    `connect-guard needs Node.js ${NEEDS_NODE_MAJOR} or newer (24 LTS recommended); this is Node.js ${version}.\n` +
    'Install a current Node.js from your distribution or https://nodejs.org, then run connect-guard again.\n'
  );
}
