import { dirname, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Calls that read the world: time and randomness are inputs to core (docs/style.md §6). */
const impureCalls: readonly (readonly [object: string, property: string])[] = [
  ['Date', 'now'],
  ['Math', 'random'],
  ['crypto', 'randomUUID'],
  ['crypto', 'getRandomValues'],
  ['performance', 'now'],
];

/**
 * Why a core file is impure, one line per finding (docs/style.md §1: the folder boundary is the architecture).
 * Parsed with the TypeScript compiler, so comments and strings that merely mention `Date.now()` do not count,
 * and `import type`, re-exports, `import()` and `import('…').T` types are all seen.
 * A specifier must be relative and stay inside `coreRoot`: no `node:*`, no package, no adapters/ or workers/.
 */
export const purityViolations = (source: string, file: string, coreRoot: string): string[] => {
  const found: string[] = [];
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const where = (node: ts.Node): string => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const checkSpecifier = (spec: string, node: ts.Node): void => {
    if (!spec.startsWith('./') && !spec.startsWith('../')) {
      found.push(`${where(node)} imports '${spec}' (a package or node builtin)`);
      return;
    }
    const target = relative(coreRoot, resolve(dirname(file), spec));
    if (target.startsWith('..') || target.startsWith(sep)) found.push(`${where(node)} imports '${spec}' from outside core/`);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkSpecifier(node.moduleSpecifier.text, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) checkSpecifier(e.text, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      checkSpecifier(node.argument.literal.text, node);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        const arg = node.arguments[0];
        if (arg && ts.isStringLiteralLike(arg)) checkSpecifier(arg.text, node);
        else found.push(`${where(node)} loads a computed module specifier`);
      }
      if (ts.isIdentifier(callee) && callee.text === 'Date') found.push(`${where(node)} calls Date()`);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') {
      found.push(`${where(node)} calls new Date(`);
    }
    if (ts.isPropertyAccessExpression(node)) {
      const base = node.expression;
      const name = ts.isIdentifier(base) ? base.text : ts.isPropertyAccessExpression(base) ? base.name.text : null;
      for (const [object, property] of impureCalls) {
        if (name === object && node.name.text === property) found.push(`${where(node)} uses ${object}.${property}`);
      }
      if (ts.isIdentifier(base) && base.text === 'process') found.push(`${where(node)} uses process.${node.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
};
