/**
 * Parses Bicep with tree-sitter-bicep (its WebAssembly build, through web-tree-sitter: no native
 * build). The grammar covers .bicep files; .bicepparam syntax (`param x = ...` without a type)
 * is not in it.
 */
import fs from 'node:fs';
import path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Parser = require('web-tree-sitter');

export type SyntaxNode = Parser.SyntaxNode;

const root = path.resolve(__dirname, '../../..');
export const INFRA = path.join(root, 'infra');

let parser: Promise<Parser> | undefined;

export function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const language = await Parser.Language.load(path.join(root, 'node_modules/tree-sitter-bicep/tree-sitter-bicep.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}

export function bicepFiles(dir = INFRA): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return bicepFiles(full);
    return e.name.endsWith('.bicep') ? [full] : [];
  });
}

export function descendants(node: SyntaxNode, type: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const walk = (n: SyntaxNode) => {
    if (n.type === type) found.push(n);
    for (const c of n.namedChildren) walk(c);
  };
  walk(node);
  return found;
}

/** Syntax errors and missing tokens, with their line, for a readable failure. */
export function syntaxErrors(tree: Parser.Tree): string[] {
  const errors: string[] = [];
  const walk = (n: SyntaxNode) => {
    if (n.type === 'ERROR' || n.isMissing) errors.push(`line ${n.startPosition.row + 1}: ${n.isMissing ? `missing ${n.type}` : `unexpected '${n.text.slice(0, 60)}'`}`);
    for (const c of n.children) walk(c);
  };
  walk(tree.rootNode);
  return errors;
}

/** The string content of a string node (no interpolation expected where this is used). */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  return node.text.replace(/^'|'$/g, '');
}

/** The object literal a resource or module declaration is given, through `[for ...]` and `if (...)`. */
export function bodyOf(declaration: SyntaxNode): SyntaxNode | undefined {
  const walk = (n: SyntaxNode): SyntaxNode | undefined => {
    for (const c of n.namedChildren) {
      if (c.type === 'object') return c;
      if (c.type === 'for_statement' || c.type === 'if_statement' || c.type === 'array') {
        const inner = walk(c);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return walk(declaration);
}

/** The value node of `key:` directly in an object literal. */
export function propertyValue(object: SyntaxNode, key: string): SyntaxNode | undefined {
  for (const p of object.namedChildren) {
    if (p.type !== 'object_property') continue;
    const [k, v] = p.namedChildren;
    if (k && k.text === key) return v ?? undefined;
  }
  return undefined;
}
