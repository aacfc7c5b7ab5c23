// The typed syntax tree of a DAX expression, as parser.ts builds it. Every node carries the span of
// source text it was read from (`text.slice(start, end)`), so a translator can point at the part of
// a measure it cannot handle. Names keep their written case; DAX compares them case-insensitively.

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp =
  | '^'
  | '*'
  | '/'
  | '+'
  | '-'
  | '&'
  | '='
  | '=='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'IN'
  | '&&'
  | '||';

export type DaxNode =
  | ({ kind: 'number'; value: number; text: string } & Span)
  | ({ kind: 'string'; value: string } & Span)
  /** `TRUE`/`FALSE` and `TRUE()`/`FALSE()`. */
  | ({ kind: 'boolean'; value: boolean } & Span)
  /** `BLANK()`. */
  | ({ kind: 'blank' } & Span)
  /**
   * `'Table'[Name]`, `Table[Name]` or `[Name]`. Without a table it is a measure or a column of the
   * row context: only the model can tell, so the translator decides.
   */
  | ({ kind: 'ref'; table?: string; name: string } & Span)
  /** A bare name: a table (`'Sales'`, `Sales`) or a variable. `quoted` names are always tables. */
  | ({ kind: 'name'; name: string; quoted: boolean } & Span)
  | ({ kind: 'call'; name: string; args: DaxNode[] } & Span)
  /** An argument left out between commas, as in `RANKX(T, [M], , DESC)`. */
  | ({ kind: 'omitted' } & Span)
  | ({ kind: 'unary'; op: '-' | '+' | 'NOT'; operand: DaxNode } & Span)
  | ({ kind: 'binary'; op: BinaryOp; left: DaxNode; right: DaxNode } & Span)
  /** `{ 1, 2 }` or `{ (1, "a"), (2, "b") }`: one inner array per row. */
  | ({ kind: 'tableConstructor'; rows: DaxNode[][] } & Span)
  /** `(a, b)`: a row value, as on the left of `IN` or inside a table constructor. */
  | ({ kind: 'tuple'; items: DaxNode[] } & Span)
  | ({ kind: 'var'; vars: VarDecl[]; body: DaxNode } & Span);

export interface VarDecl extends Span {
  name: string;
  value: DaxNode;
}

/** The children of a node, in source order, as a new array (for walks that need no knowledge of node kinds). */
export function childrenOf(node: DaxNode): DaxNode[] {
  switch (node.kind) {
    case 'call':
      return [...node.args];
    case 'unary':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'tableConstructor':
      return node.rows.flat();
    case 'tuple':
      return [...node.items];
    case 'var':
      return [...node.vars.map((v) => v.value), node.body];
    default:
      return [];
  }
}
