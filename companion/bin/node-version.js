// The Node.js the companion needs, read from the `engines` of the package it runs from (the
// checkout's package.json, or the released package's: both sit two folders up). Plain JavaScript
// in syntax every Node.js since 12 reads, importing only node:fs, so that it runs and explains
// itself on any Node.js a user might still have.
import { readFileSync } from 'node:fs';

/** The floor when the package's engines cannot be read. */
export const NEEDS_NODE_MAJOR = 22;

/** `engines.node` of the package this file ships in ("≥22"), as [major, minor]. */
export function requiredNode(packageJsonUrl = new URL('../../package.json', import.meta.url)) {
  try {
    const { engines } = JSON.parse(readFileSync(packageJsonUrl, 'utf8'));
    const found = /^>=\s*(\d+)(?:\.(\d+))?/.exec((engines && engines.node) || '');
    if (found) return [Number(found[1]), Number(found[2] || 0)];
  } catch {
    // No readable package.json: the built-in floor.
  }
  return [NEEDS_NODE_MAJOR, 0];
}

/** A message naming the Node.js the companion needs, or undefined when `version` is new enough. */
export function nodeVersionProblem(version, required = requiredNode()) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  const [needMajor, needMinor] = required;
  if (Number.isInteger(major) && (major > needMajor || (major === needMajor && (minor || 0) >= needMinor))) return undefined;
  const needs = needMinor > 0 ? `${needMajor}.${needMinor}` : `${needMajor}`;
  return (
    `connect-guard needs Node.js ${needs} or newer (24 LTS recommended); this is Node.js ${version}.\n` +
    'Install a current Node.js from your distribution or https://nodejs.org, then run connect-guard again.\n'
  );
}
