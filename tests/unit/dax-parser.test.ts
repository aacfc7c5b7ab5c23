// The DAX expression parser (issue 16, item 2): every syntax form, DAX operator precedence (checked
// by printing the tree fully parenthesised), source spans, errors with positions, and hostile input
// that must end in an error result rather than a throw. A property test prints random trees and
// parses them back.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { BinaryOp, DaxNode } from '../../src/core/dax/ast.js';
import { MAX_DAX_DEPTH, parseDax } from '../../src/core/dax/parser.js';

/** Prints a tree with every operation in parentheses, so precedence shows in the text. */
function show(n: DaxNode): string {
  switch (n.kind) {
    case 'number':
      return n.text;
    case 'string':
      return JSON.stringify(n.value);
    case 'boolean':
      return n.value ? 'TRUE' : 'FALSE';
    case 'blank':
      return 'BLANK()';
    case 'ref':
      return `${n.table === undefined ? '' : `'${n.table}'`}[${n.name}]`;
    case 'name':
      return n.quoted ? `'${n.name}'` : n.name;
    case 'call':
      return `${n.name}(${n.args.map(show).join(', ')})`;
    case 'omitted':
      return '_';
    case 'unary':
      return `(${n.op === 'NOT' ? 'NOT ' : n.op}${show(n.operand)})`;
    case 'binary':
      return `(${show(n.left)} ${n.op} ${show(n.right)})`;
    case 'tableConstructor':
      return `{${n.rows.map((r) => (r.length === 1 ? show(r[0] as DaxNode) : `(${r.map(show).join(', ')})`)).join(', ')}}`;
    case 'tuple':
      return `(${n.items.map(show).join(', ')})`;
    case 'var':
      return `VAR ${n.vars.map((v) => `${v.name} = ${show(v.value)}`).join(' VAR ')} RETURN ${show(n.body)}`;
  }
}

const parsed = (text: string): string => {
  const r = parseDax(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return show(r.ast);
};

describe('syntax forms', () => {
  test.each([
    ['12', '12'],
    ['1.5', '1.5'],
    ['.5', '.5'],
    ['1E3', '1E3'],
    ['2.5e-3', '2.5e-3'],
    ['"say ""hi"""', '"say \\"hi\\""'],
    ['TRUE', 'TRUE'],
    ['false()', 'FALSE'],
    ['BLANK()', 'BLANK()'],
    ["'Sales Fact'[Amount]", "'Sales Fact'[Amount]"],
    ["'Sales' [Amount]", "'Sales'[Amount]"],
    ['Sales[Amount]', "'Sales'[Amount]"],
    ['[Total Sales]', '[Total Sales]'],
    ["'O''Brien'[Net]]Amt]", "'O'Brien'[Net]Amt]"],
    ['Sales', 'Sales'],
    ["'Date'", "'Date'"],
    ['SUM(Sales[Amount])', "SUM('Sales'[Amount])"],
    ['COUNTROWS()', 'COUNTROWS()'],
    ['RANKX(T, [M], , DESC)', 'RANKX(T, [M], _, DESC)'],
    ['PERCENTILE.INC(T[x], 0.5)', "PERCENTILE.INC('T'[x], 0.5)"],
    ['{1, 2, 3}', '{1, 2, 3}'],
    ['{(1, "a"), (2, "b")}', '{(1, "a"), (2, "b")}'],
    ['{}', '{}'],
    ['(T[a], T[b]) IN {(1, 2)}', "(('T'[a], 'T'[b]) IN {(1, 2)})"],
    ['VAR x = 1 RETURN x', 'VAR x = 1 RETURN x'],
    ['VAR a = 1 VAR b = a + 1 RETURN a * b', 'VAR a = 1 VAR b = (a + 1) RETURN (a * b)'],
    ['IF(VAR v = [M] RETURN v > 0, 1)', 'IF(VAR v = [M] RETURN (v > 0), 1)'],
    ['[A] // comment [B]\n + /* [C] */ [D] -- [E]', '([A] + [D])'],
  ])('%s', (text, shown) => {
    expect(parsed(text)).toBe(shown);
  });

  test('spans point into the source', () => {
    const text = "CALCULATE ( SUM ( 'Sales'[Amount] ), Product[Color] = \"Red\" )";
    const r = parseDax(text);
    expect(r.ok).toBe(true);
    if (!r.ok || r.ast.kind !== 'call') return;
    const [sum, filter] = r.ast.args as [DaxNode, DaxNode];
    expect(text.slice(r.ast.start, r.ast.end)).toBe(text);
    expect(text.slice(sum.start, sum.end)).toBe("SUM ( 'Sales'[Amount] )");
    expect(text.slice(filter.start, filter.end)).toBe('Product[Color] = "Red"');
    if (filter.kind === 'binary') expect(text.slice(filter.right.start, filter.right.end)).toBe('"Red"');
  });
});

describe('operator precedence (tightest first: ^, sign, * /, + -, &, comparison/IN, NOT, &&, ||)', () => {
  test.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 * 2 + 3', '((1 * 2) + 3)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 / 2', '((8 / 4) / 2)'],
    ['-2 ^ 2', '(-(2 ^ 2))'],
    ['2 ^ 3 ^ 2', '((2 ^ 3) ^ 2)'],
    ['2 ^ -1', '(2 ^ (-1))'],
    ['-a * b', '((-a) * b)'],
    ['x - -1', '(x - (-1))'],
    ['1 + 2 & 3', '((1 + 2) & 3)'],
    ['a & b = c', '((a & b) = c)'],
    ['a = b == c', '((a = b) == c)'],
    ['a < b <> c', '((a < b) <> c)'],
    ['a <= b', '(a <= b)'],
    ['a >= b', '(a >= b)'],
    ['a > b', '(a > b)'],
    ['[x] IN {1, 2} && b', '(([x] IN {1, 2}) && b)'],
    ['NOT a = b', '(NOT (a = b))'],
    ['NOT a && b', '((NOT a) && b)'],
    ['NOT NOT a', '(NOT (NOT a))'],
    ['NOT [x] IN {1}', '(NOT ([x] IN {1}))'],
    ['NOT(a) = b', '((NOT a) = b)'],
    ['a || b && c', '(a || (b && c))'],
    ['a && b || c && d', '((a && b) || (c && d))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['in_stock IN {TRUE}', '(in_stock IN {TRUE})'],
  ])('%s', (text, shown) => {
    expect(parsed(text)).toBe(shown);
  });
});

describe('errors carry a position and never throw', () => {
  test.each([
    ['1 +', 'expected an expression, found the end of the expression', 1, 4],
    ['SUM(1', "expected ',' or ')' in the arguments of SUM, found the end of the expression", 1, 6],
    ['"open', 'unterminated string literal', 1, 1],
    ["x + 'open", 'unterminated quoted table name', 1, 5],
    ['[open', 'unterminated [ reference', 1, 1],
    ['1 /* open', 'unterminated /* comment', 1, 3],
    ['VAR x = 1', 'expected VAR or RETURN, found the end of the expression', 1, 10],
    ['VAR = 1 RETURN 2', "expected a variable name after VAR, found '='", 1, 5],
    ['1 2', "expected an operator or the end of the expression, found '2'", 1, 3],
    ['1 + #', "unexpected character '#'", 1, 5],
    [')', "expected an expression, found ')'", 1, 1],
    ['SUM(\n  Sales[Amount]\n  ++ )', "expected an expression, found ')'", 3, 6],
    ['RETURN 1', 'unexpected keyword RETURN', 1, 1],
  ])('%j', (text, message, line, column) => {
    const r = parseDax(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ message, line, column });
    expect(r.error.start).toBeLessThanOrEqual(r.error.end);
  });

  test('deep nesting is refused with an error, not a stack overflow', () => {
    for (const text of ['('.repeat(100_000) + '1' + ')'.repeat(100_000), 'SUM('.repeat(20_000), '-'.repeat(1) + '+-'.repeat(50_000) + '1']) {
      const r = parseDax(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/nested too deeply/);
    }
  });

  test('a long flat chain is refused by depth too (the translator recurses on it)', () => {
    const r = parseDax(Array(MAX_DAX_DEPTH * 2).fill('1').join(' + '));
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringMatching(/nested too deeply/) } });
    expect(parseDax(Array(MAX_DAX_DEPTH / 2).fill('1').join(' + ')).ok).toBe(true);
  });

  const DAXISH = ['(', ')', '{', '}', ',', '+', '-', '*', '/', '^', '&', '=', '==', '<>', '<', '>=', '&&', '||', ' ', '\n', '"', "'", '[', ']',
    'VAR ', 'RETURN ', 'NOT ', ' IN ', 'TRUE', 'BLANK()', 'x', 'Sales', '[M]', "'T'[c]", 'SUM', '1', '.5', '1e', '//', '/*', '*/', '--', '#', '\u{1F600}'];

  test('arbitrary text: an AST or an error inside the text, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom(...DAXISH), { maxLength: 80 }).map((a) => a.join(''))), (text) => {
        const r = parseDax(text);
        if (!r.ok) {
          expect(r.error.start).toBeGreaterThanOrEqual(0);
          expect(r.error.end).toBeLessThanOrEqual(text.length);
          expect(r.error.start).toBeLessThanOrEqual(r.error.end);
          expect(r.error.line).toBeGreaterThanOrEqual(1);
        } else {
          expect(r.ast.start).toBeGreaterThanOrEqual(0);
          expect(r.ast.end).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('round trip', () => {
  // Random trees, printed fully parenthesised, parse back to the same tree.
  const leaf = fc.oneof(
    fc.integer({ min: 0, max: 999 }).map((n) => String(n)),
    fc.constantFrom('[M]', "'T'[c]", 'x', 'TRUE', 'BLANK()', '"s"'),
  );
  const ops: BinaryOp[] = ['^', '*', '/', '+', '-', '&', '=', '==', '<>', '<', '<=', '>', '>=', '&&', '||'];
  const tree = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.tuple(tie('e'), fc.constantFrom(...ops), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      tie('e').map((a) => `(-${a})`),
      tie('e').map((a) => `(NOT ${a})`),
      fc.array(tie('e'), { minLength: 1, maxLength: 3 }).map((args) => `F(${args.join(', ')})`),
    ),
  }));

  test('print(parse(print(tree))) is stable', () => {
    fc.assert(
      fc.property(tree.e, (text) => {
        const once = parsed(text);
        expect(parsed(once)).toBe(once);
        // The printed form keeps every parenthesis of the generated one.
        expect(once.replace(/\s+/g, '')).toBe(text.replace(/\s+/g, '').replace(/\(-(\d+)\)/g, '(-$1)'));
      }),
      { numRuns: 500 },
    );
  });
});
