/**
 * Building blocks for config fields. Every field of every config section is made with
 * {@link requiredField}, {@link optionalField} or {@link defaultedField} from a {@link FieldKind}, so each
 * one carries the same metadata: a description (also set with zod's `.describe()`), the phrase used in
 * error messages ("expected an integer ≥ 0"), a type name, whether it is required and its default.
 * The reference doc and the error messages read that metadata from {@link configFieldInfo}; nothing
 * has to walk zod's internals.
 */
import { z } from 'zod';

/** What the reference doc and the error messages know about one field. */
export interface ConfigFieldInfo {
  /** The field's meaning, in full sentences. */
  readonly description: string;
  /** What a valid value looks like, phrased to follow "expected": `an integer ≥ 0`. */
  readonly expected: string;
  /** Short type name for the reference doc: `integer`, `string`, `boolean`, … */
  readonly type: string;
  /** True when the config must give a value (there is no default). */
  readonly required: boolean;
  /** True when the field has a default, which is then {@link ConfigFieldInfo.defaultValue}. */
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
}

/** Metadata of every field schema built here, keyed by the schema placed in the section's shape. */
export const configFieldInfo = z.registry<ConfigFieldInfo>();

/**
 * A kind of value: its schema, a lenient coercion applied before validation and its wording.
 * The coercions mirror what OmegaConf does for typed fields (a YAML `"3000"` is accepted for an int,
 * a number for a string), because configs written for Mephisto rely on it.
 */
export interface FieldKind<S extends z.ZodType> {
  readonly schema: S;
  readonly expected: string;
  readonly type: string;
  readonly coerce: (value: unknown) => unknown;
}

const INTEGER_TEXT = /^[-+]?\d+$/;
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const TRUE_TEXT = new Set(['true', 'yes', 'on']);
const FALSE_TEXT = new Set(['false', 'no', 'off']);

function keep(value: unknown): unknown {
  return value;
}

function numberFromText(pattern: RegExp): (value: unknown) => unknown {
  return (value) => (typeof value === 'string' && pattern.test(value.trim()) ? Number(value.trim()) : value);
}

/** A string; numbers and booleans are turned into their text, as OmegaConf does for `str` fields. */
export const stringKind: FieldKind<z.ZodString> = {
  schema: z.string(),
  expected: 'a string',
  type: 'string',
  coerce: (value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value),
};

/** An absolute http(s) URL, e.g. the public base URL of a server behind a reverse proxy. */
export const httpUrlKind: FieldKind<z.ZodString> = {
  schema: z.string().refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }),
  expected: 'an absolute http:// or https:// URL',
  type: 'url',
  coerce: (value) => value,
};

/** A file-system path (a string; `~` is not expanded here). */
export const pathKind: FieldKind<z.ZodString> = {
  ...stringKind,
  expected: 'a file path (a string)',
  type: 'path',
};

/** An integer with a lower bound; integer text such as `"3000"` is accepted. */
export function integerKind(min: number): FieldKind<z.ZodInt> {
  return {
    schema: z.int().min(min),
    expected: `an integer ≥ ${min}`,
    type: 'integer',
    coerce: numberFromText(INTEGER_TEXT),
  };
}

/** A finite number with a lower bound; numeric text is accepted. */
export function numberKind(min: number): FieldKind<z.ZodNumber> {
  return {
    schema: z.number().min(min),
    expected: `a number ≥ ${min}`,
    type: 'number',
    coerce: numberFromText(NUMBER_TEXT),
  };
}

/** A TCP port. Mephisto types ports as strings (`"3000"`); both spellings are accepted. */
export const portKind: FieldKind<z.ZodInt> = {
  schema: z.int().min(0).max(65535),
  expected: 'an integer port between 0 and 65535',
  type: 'integer',
  coerce: numberFromText(INTEGER_TEXT),
};

/** true or false; the YAML 1.1 words yes/no/on/off (which PyYAML reads as booleans) are accepted too. */
export const booleanKind: FieldKind<z.ZodBoolean> = {
  schema: z.boolean(),
  expected: 'true or false',
  type: 'boolean',
  coerce: (value) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    return TRUE_TEXT.has(word) ? true : FALSE_TEXT.has(word) ? false : value;
  },
};

/** One of a fixed set of strings. */
export function enumKind<const T extends readonly [string, ...string[]]>(
  values: T,
  normalize: (value: unknown) => unknown = keep,
): FieldKind<z.ZodEnum<{ [K in T[number]]: K }>> {
  return {
    schema: z.enum(values),
    expected: `one of ${values.map((v) => `"${v}"`).join(', ')}`,
    type: values.map((v) => `\`${v}\``).join(' | '),
    coerce: normalize,
  };
}

/** Exactly one string: used for the `_blueprint_type`-style discriminators. */
export function literalKind<const T extends string>(value: T): FieldKind<z.ZodLiteral<T>> {
  return { schema: z.literal(value), expected: `"${value}"`, type: 'string', coerce: keep };
}

/**
 * Comma-separated words. A YAML list is joined with commas, as Mephisto's MTurk code does when it
 * builds a HIT type's keywords, so both spellings give the same stored value.
 */
export const commaListKind: FieldKind<z.ZodString> = {
  schema: z.string(),
  expected: 'a comma-separated string or a list of strings',
  type: 'string (comma-separated) or list',
  coerce: (value) => {
    if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) {
      return value.map(String).join(',');
    }
    return stringKind.coerce(value);
  },
};

/** Treats an explicit `null` like an absent key, so the field's default (or absence) applies. */
function nullAsAbsent(coerce: (value: unknown) => unknown): (value: unknown) => unknown {
  return (value) => (value === null ? undefined : coerce(value));
}

function register<S extends z.ZodType>(schema: S, info: ConfigFieldInfo): S {
  const described = schema.describe(info.description);
  configFieldInfo.add(described, info);
  return described;
}

/** A field the config must set; `null` is reported as a wrong value, not as a missing one. */
export function requiredField<S extends z.ZodType>(kind: FieldKind<S>, description: string) {
  return register(z.preprocess(kind.coerce, kind.schema), {
    description,
    expected: kind.expected,
    type: kind.type,
    required: true,
    hasDefault: false,
  });
}

/** A field that may be left out (Mephisto's `MISSING` fields that the code reads with `.get`). */
export function optionalField<S extends z.ZodType>(kind: FieldKind<S>, description: string) {
  return register(z.preprocess(nullAsAbsent(kind.coerce), kind.schema.optional()), {
    description,
    expected: kind.expected,
    type: kind.type,
    required: false,
    hasDefault: false,
  });
}

/** A field with a default, used when the key is absent or `null`. */
export function defaultedField<S extends z.ZodType>(
  kind: FieldKind<S>,
  defaultValue: z.output<S> & {},
  description: string,
) {
  // A fresh copy per parse, so a parsed config never shares a list or object with the schema.
  // The cast only restates that a value of the schema's output type is a valid default for it.
  const withDefault = kind.schema.default((() => structuredClone(defaultValue)) as never);
  return register(z.preprocess(nullAsAbsent(kind.coerce), withDefault), {
    description,
    expected: kind.expected,
    type: kind.type,
    required: false,
    hasDefault: true,
    defaultValue,
  });
}
