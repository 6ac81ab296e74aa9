/**
 * `find*` filters → SQL conditions, with the port's rules: an `undefined` field is ignored, a value
 * matches equal rows, `null` matches rows where the column is null, and a status list matches any of
 * its statuses.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { boolParam, idParam } from './row-mapping.js';
import type { StoreDialect } from './store-backend.js';

export type FieldKind = 'id' | 'text' | 'int' | 'bool' | 'status';

/** For each filter field: the column it tests and how its value is encoded. */
export type FilterSpec<F extends object> = {
  readonly [K in keyof F]-?: readonly [column: string, kind: FieldKind];
};

/**
 * The conditions `filter` asks for, or `null` when no row can match (a malformed id, an empty status
 * list): the caller then skips the query.
 */
export function filterConditions<F extends object>(
  dialect: StoreDialect,
  spec: FilterSpec<F>,
  filter: F | undefined,
): RawBuilder<SqlBool>[] | null {
  const conditions: RawBuilder<SqlBool>[] = [];
  if (!filter) return conditions;
  for (const key of Object.keys(spec) as (keyof F & string)[]) {
    const value: unknown = filter[key];
    if (value === undefined) continue;
    const [column, kind] = spec[key];
    const ref = sql.ref(column);
    if (value === null) {
      conditions.push(sql<SqlBool>`${ref} is null`);
      continue;
    }
    switch (kind) {
      case 'id': {
        const id = typeof value === 'string' ? idParam(value) : undefined;
        if (id === undefined) return null;
        conditions.push(sql<SqlBool>`${ref} = ${id}`);
        break;
      }
      case 'bool':
        conditions.push(sql<SqlBool>`${ref} = ${boolParam(dialect, value === true)}`);
        break;
      case 'status': {
        const list = Array.isArray(value) ? (value as unknown[]) : [value];
        if (list.length === 0) return null;
        conditions.push(
          list.length === 1 ? sql<SqlBool>`${ref} = ${list[0]}` : sql<SqlBool>`${ref} in (${sql.join(list)})`,
        );
        break;
      }
      case 'text':
      case 'int':
        conditions.push(sql<SqlBool>`${ref} = ${value}`);
        break;
    }
  }
  return conditions;
}

/** All conditions joined with AND (callers pass a non-empty list). */
export function allOf(conditions: readonly RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

/**
 * The same conditions as {@link filterConditions}, as SQL text with `?` placeholders and their
 * parameters (for `runFixed`), or `null` when no row can match. Columns come from the spec, never
 * from the caller, so the text is one of a few shapes per spec: cheap to build, and the connection's
 * statement cache keeps each prepared.
 */
export function filterText<F extends object>(
  dialect: StoreDialect,
  spec: FilterSpec<F>,
  filter: F | undefined,
): { text: string; params: unknown[] } | null {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (!filter) return { text: '', params };
  for (const key of Object.keys(spec) as (keyof F & string)[]) {
    const value: unknown = filter[key];
    if (value === undefined) continue;
    const [column, kind] = spec[key];
    const ref = `"${column}"`;
    if (value === null) {
      parts.push(`${ref} is null`);
      continue;
    }
    switch (kind) {
      case 'id': {
        const id = typeof value === 'string' ? idParam(value) : undefined;
        if (id === undefined) return null;
        parts.push(`${ref} = ?`);
        params.push(id);
        break;
      }
      case 'bool':
        parts.push(`${ref} = ?`);
        params.push(boolParam(dialect, value === true));
        break;
      case 'status': {
        const list = Array.isArray(value) ? (value as unknown[]) : [value];
        if (list.length === 0) return null;
        parts.push(list.length === 1 ? `${ref} = ?` : `${ref} in (${list.map(() => '?').join(', ')})`);
        params.push(...list);
        break;
      }
      case 'text':
      case 'int':
        parts.push(`${ref} = ?`);
        params.push(value);
        break;
    }
  }
  return { text: parts.join(' and '), params };
}

/**
 * A fixed query over one table's filter, `head` + ` where <conditions>` + `tail`, for the engine's
 * frequent reads (`runFixed` / `readFixed`). Its text depends only on the shape of the filter (which
 * fields are set or null, how many statuses a list names), so each shape's text is built once and the
 * same string handed out after that: not rebuilt, and not hashed again by the statement cache, on
 * every call.
 */
export class FilterQuery<F extends object> {
  readonly #texts = new Map<number, string>();
  readonly #fields: readonly (keyof F & string)[];

  constructor(
    private readonly spec: FilterSpec<F>,
    private readonly head: string,
    private readonly tail = '',
  ) {
    this.#fields = Object.keys(spec) as (keyof F & string)[];
  }

  /** The text and parameters for `filter`, or `null` when no row can match (see filterText). */
  build(dialect: StoreDialect, filter: F | undefined): { text: string; params: unknown[] } | null {
    // The shape: per field, 0 unset, 1 null, 2 a value, 2 + n a list of n statuses; base 16.
    let shape = 0;
    let cacheable = true;
    const params: unknown[] = [];
    for (const key of this.#fields) {
      const value: unknown = filter?.[key];
      let code = 0;
      if (value === null) {
        code = 1;
      } else if (value !== undefined) {
        const [, kind] = this.spec[key];
        if (kind === 'id') {
          const id = typeof value === 'string' ? idParam(value) : undefined;
          if (id === undefined) return null;
          params.push(id);
          code = 2;
        } else if (kind === 'bool') {
          params.push(boolParam(dialect, value === true));
          code = 2;
        } else if (kind === 'status' && Array.isArray(value)) {
          if (value.length === 0) return null;
          for (const status of value as unknown[]) params.push(status);
          code = value.length === 1 ? 2 : 2 + value.length;
        } else {
          params.push(value);
          code = 2;
        }
      }
      if (code > 15) cacheable = false;
      shape = shape * 16 + code;
    }
    if (!Number.isSafeInteger(shape)) cacheable = false;
    let text = cacheable ? this.#texts.get(shape) : undefined;
    if (text === undefined) {
      const where = filterText(dialect, this.spec, filter);
      if (where === null) return null;
      text = `${this.head}${where.text === '' ? '' : ` where ${where.text}`}${this.tail}`;
      if (cacheable) this.#texts.set(shape, text);
    }
    return { text, params };
  }
}
