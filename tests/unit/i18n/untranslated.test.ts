// Issue 15 item 6: every string the renderer shows goes through i18next, and the Hindi catalogue is complete.
// The renderer's sources are parsed with the TypeScript compiler; a string a user would read that bypasses
// t() fails here with its file and line, and so does a catalogue key missing or different in Hindi.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';
import en from '../../../src/renderer/src/i18n/en.json';
import hi from '../../../src/renderer/src/i18n/hi.json';

const root = join(__dirname, '../../../src/renderer/src');

/** Text that stays as it is in every language, each with why. */
const allowed = new Map<string, string>([
  ['Clinical Messenger', 'the product name, shown as the brand in every language'],
  ['MRN', 'the medical record number: Indian hospital staff say and read "MRN"'],
  ['PIN', 'read as "PIN" on every ward keyboard and card reader'],
  ['CID', 'the content identifier of a document, evidence IT compares character by character'],
  ['SHA-256', 'the name of the hash algorithm, evidence IT compares as it is'],
]);

/** Attributes a user reads or hears. */
const readAttributes = new Set(['aria-label', 'title', 'placeholder', 'alt', 'label', 'aria-valuetext']);

const letter = /\p{L}/u;

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

const parsed = sources(root).map((file) => ({
  file,
  source: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
}));

function where(node: ts.Node): string {
  const source = node.getSourceFile();
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return `${relative(root, source.fileName)}:${line + 1}`;
}

const shown = (text: string): boolean => {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  return letter.test(trimmed) && !allowed.has(trimmed);
};

/** The literals an expression can evaluate to as text: its branches, fallbacks and template pieces. */
function valueLiterals(expr: ts.Expression): { node: ts.Node; text: string }[] {
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr))
    return [{ node: expr, text: expr.text }];
  if (ts.isTemplateExpression(expr)) {
    return [
      { node: expr, text: [expr.head.text, ...expr.templateSpans.map((s) => s.literal.text)].join(' ') },
      ...expr.templateSpans.flatMap((s) => valueLiterals(s.expression)),
    ];
  }
  if (ts.isParenthesizedExpression(expr)) return valueLiterals(expr.expression);
  if (ts.isConditionalExpression(expr))
    return [...valueLiterals(expr.whenTrue), ...valueLiterals(expr.whenFalse)];
  if (ts.isBinaryExpression(expr)) {
    const op = expr.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return valueLiterals(expr.right);
    if (
      op === ts.SyntaxKind.QuestionQuestionToken ||
      op === ts.SyntaxKind.BarBarToken ||
      op === ts.SyntaxKind.PlusToken
    ) {
      return [...valueLiterals(expr.left), ...valueLiterals(expr.right)];
    }
  }
  return [];
}

const insideTrans = (node: ts.Node): boolean => {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isJsxElement(n) && n.openingElement.tagName.getText() === 'Trans') return true;
  }
  return false;
};

/** Where `t('key')`, `i18n.t('key')` or `<Trans i18nKey="key">` names a key; null key when not a literal. */
function translationCall(node: ts.Node): { key: string | null } | null {
  if (ts.isJsxAttribute(node) && node.name.getText() === 'i18nKey') {
    return { key: node.initializer && ts.isStringLiteral(node.initializer) ? node.initializer.text : null };
  }
  if (!ts.isCallExpression(node)) return null;
  const callee = node.expression;
  const isT =
    (ts.isIdentifier(callee) && callee.text === 't') ||
    (ts.isPropertyAccessExpression(callee) && callee.name.text === 't');
  if (!isT) return null;
  const first = node.arguments[0];
  return {
    key:
      first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : null,
  };
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

function flatten(tree: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value as object, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]!).sort();

const english = flatten(en);
const hindi = flatten(hi);

it('shows no JSX text and no read attribute that bypasses t()', () => {
  const found: string[] = [];
  for (const { source } of parsed) {
    walk(source, (node) => {
      if (ts.isJsxText(node) && shown(node.text) && !insideTrans(node)) {
        found.push(`${where(node)} JSX text "${node.text.trim()}"`);
      }
      // {busy ? 'Saving…' : 'Save'} as a child is text on screen as much as JSX text is.
      if (
        ts.isJsxExpression(node) &&
        node.expression &&
        !ts.isJsxAttribute(node.parent) &&
        !insideTrans(node)
      ) {
        for (const { node: lit, text } of valueLiterals(node.expression)) {
          if (shown(text)) found.push(`${where(lit)} JSX text "${text}"`);
        }
      }
      if (ts.isJsxAttribute(node) && readAttributes.has(node.name.getText())) {
        const init = node.initializer;
        const literals = !init
          ? []
          : ts.isStringLiteral(init)
            ? [{ node: init, text: init.text }]
            : ts.isJsxExpression(init) && init.expression
              ? valueLiterals(init.expression)
              : [];
        for (const { node: lit, text } of literals) {
          if (shown(text)) found.push(`${where(lit)} ${node.name.getText()}="${text}"`);
        }
      }
    });
  }
  expect(
    found,
    `Untranslated strings (put each through t() and both catalogues):\n${found.join('\n')}`,
  ).toEqual([]);
});

/** Developer-facing text: an Error thrown for a broken page, a log line. */
const forDevelopers = (node: ts.Node): boolean => {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isNewExpression(n) && /Error$/.test(n.expression.getText())) return true;
    if (ts.isCallExpression(n) && /^console\./.test(n.expression.getText())) return true;
  }
  return false;
};

it('composes no sentence for the user outside t(), in components or in the modules that word messages', () => {
  // "Checking the document…", `Not sent (${reason})`: a capital, then two more words.
  const sentence = /^\p{Lu}\p{Ll}*(\s+\S+){2,}/u;
  const found: string[] = [];
  for (const { source } of parsed) {
    walk(source, (node) => {
      const text =
        ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
          ? node.text
          : ts.isTemplateExpression(node)
            ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('x')
            : null;
      if (text === null || ts.isImportDeclaration(node.parent) || ts.isExportDeclaration(node.parent)) return;
      if (translationCall(node.parent) || forDevelopers(node)) return;
      if (sentence.test(text.trim()) && !allowed.has(text.trim())) found.push(`${where(node)} "${text}"`);
    });
  }
  expect(found, `Sentences composed outside t():\n${found.join('\n')}`).toEqual([]);
});

it('has every English key in Hindi, filled, with the same placeholders, and nothing Hindi alone', () => {
  const problems: string[] = [];
  for (const [key, text] of english) {
    const other = hindi.get(key);
    if (other === undefined) problems.push(`hi.json lacks "${key}"`);
    else if (!other.trim()) problems.push(`hi.json has "${key}" empty`);
    else if (placeholders(other).join() !== placeholders(text).join()) {
      problems.push(
        `hi.json "${key}" has {{${placeholders(other).join(', ')}}}, en.json {{${placeholders(text).join(', ')}}}`,
      );
    }
  }
  for (const key of hindi.keys())
    if (!english.has(key)) problems.push(`hi.json has "${key}", which en.json lacks`);
  expect(problems, problems.join('\n')).toEqual([]);
});

it('names only keys that exist in en.json, each as a literal so that this test can check it', () => {
  const problems: string[] = [];
  let calls = 0;
  for (const { source } of parsed) {
    walk(source, (node) => {
      const call = translationCall(node);
      if (!call) return;
      calls++;
      if (call.key === null) problems.push(`${where(node)} t() with a key that is not a literal`);
      else if (!english.has(call.key) && !english.has(`${call.key}_one`)) {
        problems.push(`${where(node)} t('${call.key}') is not in en.json`);
      }
      // A plural needs both forms in English (Hindi is checked against English above).
      if (call.key && english.has(`${call.key}_one`) !== english.has(`${call.key}_other`)) {
        problems.push(`${where(node)} t('${call.key}') has one plural form but not the other`);
      }
    });
  }
  expect(problems, problems.join('\n')).toEqual([]);
  // The renderer does translate: a parser that found no calls would pass vacuously.
  expect(calls).toBeGreaterThan(100);
});

it('uses every English key somewhere, so the catalogues carry no dead text', () => {
  const used = new Set<string>();
  for (const { source } of parsed) {
    walk(source, (node) => {
      const key = translationCall(node)?.key;
      if (key) used.add(key);
    });
  }
  const unused = [...english.keys()].filter(
    (k) => !used.has(k.replace(/_(zero|one|two|few|many|other)$/, '')),
  );
  expect(unused, unused.join('\n')).toEqual([]);
});
