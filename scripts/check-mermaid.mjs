// Parses every ```mermaid block of the given Markdown or insta snapshot files (directories are
// searched for *.md and *.snap) with Mermaid's own parser. Exits 1 if a diagram is invalid or
// if there is none at all, 2 if the parser fails to reject a known-broken diagram.
// Run through scripts/check-mermaid.sh, which installs the pinned packages.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JSDOM } from 'jsdom';

// Mermaid sanitises labels with DOMPurify, which needs a DOM even to parse; jsdom is enough.
const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

async function problem(text) {
  try {
    await mermaid.parse(text);
    return null;
  } catch (error) {
    return String(error?.message ?? error).split('\n').slice(0, 4).join('\n    ');
  }
}

// A checker that accepts everything would let every broken snapshot through.
if ((await problem('flowchart LR\n  a["unterminated] --> b\n')) === null) {
  console.error('check-mermaid: the parser accepted a broken diagram; the check is not working');
  process.exit(2);
}

function files(path) {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((name) => files(join(path, name)));
  }
  return /\.(md|snap)$/.test(path) ? [path] : [];
}

const paths = process.argv.slice(2).map((path) => resolve(path));
const fence = /^```mermaid[ \t]*\r?\n([\s\S]*?)^```[ \t]*$/gm;
let diagrams = 0;
let invalid = 0;
for (const file of paths.flatMap(files)) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(fence)) {
    diagrams += 1;
    const line = text.slice(0, match.index).split('\n').length;
    const error = await problem(match[1]);
    if (error !== null) {
      invalid += 1;
      console.error(`${file}:${line}: invalid Mermaid diagram:\n    ${error}`);
    }
  }
}
console.log(`check-mermaid: ${diagrams} diagram(s) parsed, ${invalid} invalid`);
if (diagrams === 0) {
  console.error('check-mermaid: no ```mermaid block found in ' + paths.join(', '));
  process.exit(1);
}
process.exit(invalid === 0 ? 0 : 1);
