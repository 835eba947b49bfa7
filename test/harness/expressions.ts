/**
 * A small evaluator for GitHub Actions expressions (`${{ ... }}` and `if:` conditions), enough for
 * the workflows this project ships: property access on contexts, literals, comparison and logical
 * operators, parentheses, and the status and string functions. Semantics follow GitHub's docs:
 * `==` compares strings case-insensitively, `&&`/`||` return operands, missing properties are null.
 */
export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

export interface ExpressionContext {
  contexts: Record<string, Value>;
  /** Outcome of the job so far, for success()/failure(). */
  jobFailed: boolean;
}

type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in expression: ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '&&', '||', '<=', '>='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('!()[].,<>*'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else throw new Error(`unexpected character ${JSON.stringify(c)} in expression: ${src}`);
    }
  }
  return out;
}

function truthy(v: Value): boolean {
  return !(v === null || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)));
}

function toStr(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function looseEquals(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b) return a === b;
  // Different types: GitHub coerces to numbers.
  const num = (v: Value): number => {
    if (v === null) return 0;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return Number(v);
    if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
    return Number.NaN;
  };
  return num(a) === num(b);
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: ExpressionContext,
  ) {}

  parse(): Value {
    const v = this.or();
    if (this.pos < this.tokens.length) throw new Error(`unexpected token ${JSON.stringify(this.tokens[this.pos])}`);
    return v;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private eat(op: string): boolean {
    const t = this.peek();
    if (t?.t === 'op' && t.v === op) {
      this.pos++;
      return true;
    }
    return false;
  }

  private or(): Value {
    let left = this.and();
    while (this.eat('||')) {
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  private and(): Value {
    let left = this.comparison();
    while (this.eat('&&')) {
      const right = this.comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }

  private comparison(): Value {
    const left = this.unary();
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (this.eat(op)) {
        const right = this.unary();
        switch (op) {
          case '==':
            return looseEquals(left, right);
          case '!=':
            return !looseEquals(left, right);
          case '<':
            return Number(left) < Number(right);
          case '>':
            return Number(left) > Number(right);
          case '<=':
            return Number(left) <= Number(right);
          default:
            return Number(left) >= Number(right);
        }
      }
    }
    return left;
  }

  private unary(): Value {
    if (this.eat('!')) return !truthy(this.unary());
    return this.postfix();
  }

  private postfix(): Value {
    let v = this.primary();
    for (;;) {
      if (this.eat('.')) {
        const t = this.tokens[this.pos++];
        if (t?.t !== 'id' && !(t?.t === 'op' && t.v === '*')) throw new Error('expected a property name after "."');
        v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v[t.v] ?? null) : null;
      } else if (this.eat('[')) {
        const key = this.or();
        if (!this.eat(']')) throw new Error('expected "]"');
        if (Array.isArray(v)) v = v[Number(key)] ?? null;
        else if (v !== null && typeof v === 'object') v = v[toStr(key)] ?? null;
        else v = null;
      } else return v;
    }
  }

  private primary(): Value {
    const t = this.tokens[this.pos++];
    if (!t) throw new Error('unexpected end of expression');
    if (t.t === 'num' || t.t === 'str') return t.v;
    if (t.t === 'op' && t.v === '(') {
      const v = this.or();
      if (!this.eat(')')) throw new Error('expected ")"');
      return v;
    }
    if (t.t === 'id') {
      if (t.v === 'true') return true;
      if (t.v === 'false') return false;
      if (t.v === 'null') return null;
      if (this.eat('(')) return this.call(t.v);
      return this.ctx.contexts[t.v] ?? null;
    }
    throw new Error(`unexpected token ${JSON.stringify(t)}`);
  }

  private call(name: string): Value {
    const args: Value[] = [];
    if (!this.eat(')')) {
      do args.push(this.or());
      while (this.eat(','));
      if (!this.eat(')')) throw new Error(`expected ")" after arguments of ${name}()`);
    }
    switch (name.toLowerCase()) {
      case 'success':
        return !this.ctx.jobFailed;
      case 'failure':
        return this.ctx.jobFailed;
      case 'always':
        return true;
      case 'cancelled':
        return false;
      case 'contains': {
        const [hay, needle] = args as [Value, Value];
        if (Array.isArray(hay)) return hay.some((x) => looseEquals(x, needle));
        return toStr(hay).toLowerCase().includes(toStr(needle).toLowerCase());
      }
      case 'startswith':
        return toStr(args[0] ?? null).toLowerCase().startsWith(toStr(args[1] ?? null).toLowerCase());
      case 'endswith':
        return toStr(args[0] ?? null).toLowerCase().endsWith(toStr(args[1] ?? null).toLowerCase());
      case 'format':
        return toStr(args[0] ?? null).replace(/\{(\d+)\}/g, (_, i: string) => toStr(args[Number(i) + 1] ?? null));
      case 'join':
        return Array.isArray(args[0]) ? args[0].map(toStr).join(toStr(args[1] ?? ',')) : toStr(args[0] ?? null);
      case 'tojson':
        return JSON.stringify(args[0] ?? null, null, 2);
      case 'fromjson':
        return JSON.parse(toStr(args[0] ?? null)) as Value;
      default:
        throw new Error(`unsupported expression function ${name}()`);
    }
  }
}

export function evaluate(expression: string, ctx: ExpressionContext): Value {
  return new Parser(tokenize(expression), ctx).parse();
}

/** Evaluates an `if:` condition; a bare condition without a status function implies success(). */
export function evaluateCondition(condition: string | boolean | undefined, ctx: ExpressionContext): boolean {
  if (condition === undefined) return !ctx.jobFailed;
  if (typeof condition === 'boolean') return condition && !ctx.jobFailed;
  const expr = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const hasStatus = /\b(success|failure|always|cancelled)\s*\(/.test(expr);
  const value = truthy(evaluate(expr, ctx));
  return hasStatus ? value : value && !ctx.jobFailed;
}

/** Replaces every `${{ expr }}` inside a string. */
export function interpolate(text: string, ctx: ExpressionContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => toStr(evaluate(expr, ctx)));
}
