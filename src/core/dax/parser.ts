// A DAX expression parser: text → typed syntax tree (ast.ts) with source positions, or an error
// with its position. Operator precedence follows the DAX operator reference
// (https://learn.microsoft.com/dax/dax-operator-reference), tightest first:
//   ^  ·  unary - +  ·  * /  ·  + -  ·  &  ·  = == <> < <= > >= IN  ·  NOT  ·  &&  ·  ||
// so `-2^2` is -(2^2), `NOT a = b` is NOT (a = b) and `a || b && c` is a || (b && c). Binary
// operators associate to the left. `VAR … RETURN …` may stand wherever an expression may.
// It never throws: hostile input (deep nesting, stray characters, cut-off text) yields an error.
import type { BinaryOp, DaxNode, VarDecl } from './ast.js';
import { childrenOf } from './ast.js';
import { lexDax, lineAndColumn, type Token } from './lexer.js';

export interface DaxParseError {
  message: string;
  start: number;
  end: number;
  /** 1-based, for messages. */
  line: number;
  column: number;
}

export type DaxParseResult = { ok: true; ast: DaxNode } | { ok: false; error: DaxParseError };

/** Deeper trees are refused: the translator walks them recursively, and no real measure nests this far. */
export const MAX_DAX_DEPTH = 128;

const COMPARISON = new Set(['=', '==', '<>', '<', '<=', '>', '>=']);
const OR_OPS = new Set(['||']);
const AND_OPS = new Set(['&&']);
const CONCAT_OPS = new Set(['&']);
const ADDITIVE_OPS = new Set(['+', '-']);
const MULTIPLICATIVE_OPS = new Set(['*', '/']);

class ParseFailure {
  constructor(
    readonly message: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

/** Parses one DAX expression (a measure, calculated column or filter expression). */
export function parseDax(text: string): DaxParseResult {
  const fail = (message: string, start: number, end: number): DaxParseResult => ({
    ok: false,
    error: { message, start, end, ...lineAndColumn(text, start) },
  });
  const lexed = lexDax(text);
  if (lexed.error) return fail(lexed.error.message, lexed.error.start, lexed.error.end);
  try {
    const parser = new Parser(lexed.tokens, text.length);
    const ast = parser.expression();
    parser.expectEnd();
    const depth = treeDepth(ast);
    if (depth > MAX_DAX_DEPTH) return fail(`expression nested too deeply (${depth} levels; the limit is ${MAX_DAX_DEPTH})`, 0, text.length);
    return { ok: true, ast };
  } catch (e) {
    if (e instanceof ParseFailure) return fail(e.message, e.start, e.end);
    // Anything else (a stack overflow on absurd input) still becomes an error result.
    return fail(`expression cannot be parsed: ${(e as Error).message}`, 0, text.length);
  }
}

// Iterative, so that a left-deep chain such as 1+1+…+1 is measured without recursion.
function treeDepth(root: DaxNode): number {
  let max = 0;
  const stack: Array<[DaxNode, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [DaxNode, number];
    if (depth > max) max = depth;
    if (max > MAX_DAX_DEPTH) return max;
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return max;
}

class Parser {
  private pos = 0;
  private nesting = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'op' && t.value === value;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'ident' && t.value.toUpperCase() === word;
  }

  private next(): Token {
    const t = this.peek();
    if (!t) throw new ParseFailure('unexpected end of expression', this.length, this.length);
    this.pos += 1;
    return t;
  }

  private expectOp(value: string, what: string): Token {
    const t = this.peek();
    if (t?.kind === 'op' && t.value === value) return this.next();
    throw this.unexpected(t, `expected ${what}`);
  }

  private unexpected(t: Token | undefined, expected: string): ParseFailure {
    if (!t) return new ParseFailure(`${expected}, found the end of the expression`, this.length, this.length);
    return new ParseFailure(`${expected}, found '${t.value}'`, t.start, t.end);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t) throw this.unexpected(t, 'expected an operator or the end of the expression');
  }

  // Every construct that can nest (parentheses, calls, constructors, VAR) goes through here, so
  // that recursion depth is bounded before the JavaScript stack is.
  private nested<T>(start: number, f: () => T): T {
    this.nesting += 1;
    if (this.nesting > MAX_DAX_DEPTH) throw new ParseFailure(`expression nested too deeply (over ${MAX_DAX_DEPTH} levels)`, start, this.length);
    try {
      return f();
    } finally {
      this.nesting -= 1;
    }
  }

  expression(): DaxNode {
    if (this.isKeyword('VAR')) return this.varExpression();
    return this.or();
  }

  private varExpression(): DaxNode {
    const start = (this.peek() as Token).start;
    return this.nested(start, () => {
      const vars: VarDecl[] = [];
      while (this.isKeyword('VAR')) {
        const varToken = this.next();
        const nameToken = this.peek();
        if (nameToken?.kind !== 'ident') throw this.unexpected(nameToken, 'expected a variable name after VAR');
        this.next();
        this.expectOp('=', `'=' after VAR ${nameToken.value}`);
        const value = this.expression();
        vars.push({ name: nameToken.value, value, start: varToken.start, end: value.end });
      }
      if (!this.isKeyword('RETURN')) throw this.unexpected(this.peek(), 'expected VAR or RETURN');
      this.next();
      const body = this.expression();
      return { kind: 'var', vars, body, start, end: body.end };
    });
  }

  private binaryLevel(operand: () => DaxNode, ops: ReadonlySet<string>): DaxNode {
    let left = operand();
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'op' || !ops.has(t.value)) return left;
      this.next();
      const right = operand();
      left = { kind: 'binary', op: t.value as BinaryOp, left, right, start: left.start, end: right.end };
    }
  }

  private or(): DaxNode {
    return this.binaryLevel(() => this.and(), OR_OPS);
  }

  private and(): DaxNode {
    return this.binaryLevel(() => this.not(), AND_OPS);
  }

  private not(): DaxNode {
    // `NOT(x)` is the NOT function; `NOT x` the operator, which binds looser than comparisons.
    if (this.isKeyword('NOT') && !this.isOp('(', 1)) {
      const t = this.next();
      return this.nested(t.start, () => {
        const operand = this.not();
        return { kind: 'unary', op: 'NOT', operand, start: t.start, end: operand.end };
      });
    }
    return this.comparison();
  }

  private comparison(): DaxNode {
    let left = this.concat();
    for (;;) {
      const t = this.peek();
      let op: BinaryOp;
      if (t?.kind === 'op' && COMPARISON.has(t.value)) op = t.value as BinaryOp;
      else if (t?.kind === 'ident' && t.value.toUpperCase() === 'IN') op = 'IN';
      else return left;
      this.next();
      const right = this.concat();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
  }

  private concat(): DaxNode {
    return this.binaryLevel(() => this.additive(), CONCAT_OPS);
  }

  private additive(): DaxNode {
    return this.binaryLevel(() => this.multiplicative(), ADDITIVE_OPS);
  }

  private multiplicative(): DaxNode {
    return this.binaryLevel(() => this.unary(), MULTIPLICATIVE_OPS);
  }

  private unary(): DaxNode {
    const t = this.peek();
    if (t?.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.next();
      return this.nested(t.start, () => {
        const operand = this.unary();
        return { kind: 'unary', op: t.value as '-' | '+', operand, start: t.start, end: operand.end };
      });
    }
    return this.power();
  }

  private power(): DaxNode {
    let left = this.primary();
    while (this.isOp('^')) {
      this.next();
      const right = this.exponent();
      left = { kind: 'binary', op: '^', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  // The exponent may carry a sign: `2^-1`.
  private exponent(): DaxNode {
    const t = this.peek();
    if (t?.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.next();
      return this.nested(t.start, () => {
        const operand = this.exponent();
        return { kind: 'unary', op: t.value as '-' | '+', operand, start: t.start, end: operand.end };
      });
    }
    return this.primary();
  }

  private primary(): DaxNode {
    const t = this.peek();
    if (!t) throw this.unexpected(t, 'expected an expression');
    switch (t.kind) {
      case 'number': {
        this.next();
        return { kind: 'number', value: Number(t.value), text: t.value, start: t.start, end: t.end };
      }
      case 'string':
        this.next();
        return { kind: 'string', value: t.value, start: t.start, end: t.end };
      case 'bracket':
        this.next();
        return { kind: 'ref', name: t.value, start: t.start, end: t.end };
      case 'quotedName': {
        this.next();
        // 'T' [Col]: whitespace between a quoted table and its column is allowed.
        const col = this.peek();
        if (col?.kind === 'bracket') {
          this.next();
          return { kind: 'ref', table: t.value, name: col.value, start: t.start, end: col.end };
        }
        return { kind: 'name', name: t.value, quoted: true, start: t.start, end: t.end };
      }
      case 'ident':
        return this.identifier();
      case 'op':
        if (t.value === '(') return this.parenthesised();
        if (t.value === '{') return this.tableConstructor();
        throw this.unexpected(t, 'expected an expression');
      default:
        throw new ParseFailure(`unexpected character '${t.value}'`, t.start, t.end);
    }
  }

  private identifier(): DaxNode {
    const t = this.next();
    const upper = t.value.toUpperCase();
    const col = this.peek();
    // A bare table before a column only when adjacent: `Sales[Amount]`.
    if (col?.kind === 'bracket' && col.start === t.end) {
      this.next();
      return { kind: 'ref', table: t.value, name: col.value, start: t.start, end: col.end };
    }
    if (this.isOp('(')) return this.call(t);
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE', start: t.start, end: t.end };
    if (upper === 'VAR' || upper === 'RETURN' || upper === 'IN') throw new ParseFailure(`unexpected keyword ${upper}`, t.start, t.end);
    return { kind: 'name', name: t.value, quoted: false, start: t.start, end: t.end };
  }

  private call(nameToken: Token): DaxNode {
    return this.nested(nameToken.start, () => {
      this.next(); // (
      const args: DaxNode[] = [];
      if (this.isOp(')')) {
        const close = this.next();
        return this.finishCall(nameToken, args, close.end);
      }
      for (;;) {
        const t = this.peek();
        if (t?.kind === 'op' && (t.value === ',' || t.value === ')')) {
          // An argument left out: `f(a, , b)` or `f(a, )`.
          args.push({ kind: 'omitted', start: t.start, end: t.start });
        } else {
          args.push(this.expression());
        }
        const sep = this.peek();
        if (sep?.kind === 'op' && sep.value === ',') {
          this.next();
          continue;
        }
        const close = this.expectOp(')', `',' or ')' in the arguments of ${nameToken.value}`);
        return this.finishCall(nameToken, args, close.end);
      }
    });
  }

  private finishCall(nameToken: Token, args: DaxNode[], end: number): DaxNode {
    const upper = nameToken.value.toUpperCase();
    const start = nameToken.start;
    if (args.length === 0 && (upper === 'TRUE' || upper === 'FALSE')) return { kind: 'boolean', value: upper === 'TRUE', start, end };
    if (args.length === 0 && upper === 'BLANK') return { kind: 'blank', start, end };
    // The NOT function and the NOT operator are one operation; only their precedence differs.
    if (args.length === 1 && upper === 'NOT') return { kind: 'unary', op: 'NOT', operand: args[0] as DaxNode, start, end };
    return { kind: 'call', name: nameToken.value, args, start, end };
  }

  private parenthesised(): DaxNode {
    const open = this.next();
    return this.nested(open.start, () => {
      const first = this.expression();
      if (this.isOp(')')) {
        this.next();
        return first;
      }
      const items = [first];
      while (this.isOp(',')) {
        this.next();
        items.push(this.expression());
      }
      const close = this.expectOp(')', "',' or ')'");
      return { kind: 'tuple', items, start: open.start, end: close.end };
    });
  }

  private tableConstructor(): DaxNode {
    const open = this.next();
    return this.nested(open.start, () => {
      const rows: DaxNode[][] = [];
      if (this.isOp('}')) {
        const close = this.next();
        return { kind: 'tableConstructor', rows, start: open.start, end: close.end };
      }
      for (;;) {
        const value = this.expression();
        rows.push(value.kind === 'tuple' ? value.items : [value]);
        if (this.isOp(',')) {
          this.next();
          continue;
        }
        const close = this.expectOp('}', "',' or '}' in the table constructor");
        return { kind: 'tableConstructor', rows, start: open.start, end: close.end };
      }
    });
  }
}
