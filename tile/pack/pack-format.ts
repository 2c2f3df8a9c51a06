// kernels.json, the pack manifest (ADR-005 section 4.2, adapted to tile kernels): what the
// pack is, which runtimes may load it, who signed it, and per kernel its file, SHA-256,
// entry point, interface, resource limits, platforms and measured benchmarks. checkPack
// checks the shape and refuses unknown fields at every level (a reader of schema 1 never
// ignores signed content). See docs/kernel-packs.md.
import { isSemver } from './runtime.ts';
import { PackRefusedError, type PackFailure } from './pack-error.ts';

export const PACK_SCHEMA = 'cogsim-kernel-pack/1';
export const PACK_MANIFEST_FILE = 'kernels.json';
export const PACK_SIGNATURE_FILE = 'kernels.json.sig';
export const SIGNING_KEY_PREFIX = 'ed25519:';
export const PROFILE_NAMES = ['generic', 'core', 'hot', 'full'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: string[];
}

export interface PackKernel {
  id: string;
  name: string;
  category: string;
  /** relative to the pack folder */
  path: string;
  /** "sha256:" + 64 lowercase hex digits */
  hash: string;
  entry_point: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  params: Record<string, { type: string; default: number | string }>;
  resource_limits: { max_memory_pages: number; max_fuel_per_message: number };
  platforms: Record<string, { min_version: string; features: string[] }>;
  benchmarks: Record<string, Record<string, number>>;
}

export interface KernelPack {
  schema: typeof PACK_SCHEMA;
  name: string;
  version: string;
  description: string;
  min_runtime_version: string;
  max_runtime_version: string;
  created_at: string;
  /** the profile the pack's tiles offer (spec section 5) */
  profile: ProfileName;
  author: { name: string; email: string; signing_key: string };
  kernels: PackKernel[];
  /** kernel id -> the TypeScript reference that stands in for it */
  fallbacks: Record<string, string>;
}

const TOP = ['schema', 'name', 'version', 'description', 'min_runtime_version', 'max_runtime_version', 'created_at', 'profile', 'author', 'kernels', 'fallbacks'];
const AUTHOR = ['name', 'email', 'signing_key'];
const KERNEL = ['id', 'name', 'category', 'path', 'hash', 'entry_point', 'inputs', 'outputs', 'params', 'resource_limits', 'platforms', 'benchmarks'];
const LIMITS = ['max_memory_pages', 'max_fuel_per_message'];
const PLATFORM = ['min_version', 'features'];
const TENSOR = ['name', 'dtype', 'shape'];
const PARAM = ['type', 'default'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isWhole = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;

class ShapeChecker {
  readonly failures: PackFailure[] = [];
  constructor(private kernel: string | null = null) {}

  at(kernel: string | null): this {
    this.kernel = kernel;
    return this;
  }

  fail(reason: string): void {
    this.failures.push({ kernel: this.kernel, reason });
  }

  /** The object's fields must all be known; `where` names it ("kernels.json", "author"). */
  known(obj: Json, fields: readonly string[], where: string): void {
    const unknown = Object.keys(obj).filter((k) => !fields.includes(k));
    if (unknown.length > 0) this.fail(`${where} has unknown field ${unknown.map((k) => `'${k}'`).join(', ')}`);
  }

  field(obj: Json, name: string, ok: (v: unknown) => boolean, want: string, where: string): void {
    if (obj[name] === undefined) this.fail(`${where} has no ${name} field (${want})`);
    else if (!ok(obj[name])) this.fail(`${where} field ${name} is ${JSON.stringify(obj[name])}, expected ${want}`);
  }
}

const tensorList = (v: unknown): boolean =>
  Array.isArray(v) && v.every((t) => isObject(t) && Object.keys(t).every((k) => TENSOR.includes(k)) && isText(t.name) && isText(t.dtype) && Array.isArray(t.shape) && t.shape.every(isText));
const paramMap = (v: unknown): boolean =>
  isObject(v) && Object.values(v).every((p) => isObject(p) && Object.keys(p).every((k) => PARAM.includes(k)) && isText(p.type) && (typeof p.default === 'string' || Number.isSafeInteger(p.default)));
const benchmarkMap = (v: unknown): boolean => isObject(v) && Object.values(v).every((b) => isObject(b) && Object.values(b).every((x) => isWhole(x, 0)));

function checkKernelShape(c: ShapeChecker, k: unknown, index: number): void {
  if (!isObject(k)) return c.at(null).fail(`kernels[${index}] is not an object`);
  const where = `kernels[${index}]`;
  c.at(isText(k.id) ? k.id : where);
  c.known(k, KERNEL, where);
  c.field(k, 'id', isText, 'the kernel id', where);
  for (const f of ['name', 'category', 'entry_point']) c.field(k, f, isText, 'text', where);
  c.field(k, 'path', (v) => isText(v) && !v.startsWith('/') && !v.split('/').includes('..'), 'a path inside the pack', where);
  c.field(k, 'hash', (v) => typeof v === 'string' && /^sha256:[0-9a-f]{64}$/.test(v), "'sha256:' and 64 lowercase hex digits", where);
  for (const f of ['inputs', 'outputs']) c.field(k, f, tensorList, 'a list of { name, dtype, shape }', where);
  c.field(k, 'params', paramMap, '{ name: { type, default } }', where);
  c.field(k, 'benchmarks', benchmarkMap, '{ name: { figure: whole number } }', where);
  const limits = k.resource_limits;
  c.field(k, 'resource_limits', isObject, '{ max_memory_pages, max_fuel_per_message }', where);
  if (isObject(limits)) {
    c.known(limits, LIMITS, `${where}.resource_limits`);
    for (const f of LIMITS) c.field(limits, f, (v) => isWhole(v, 1), 'a whole number >= 1', `${where}.resource_limits`);
  }
  c.field(k, 'platforms', (v) => isObject(v) && Object.keys(v).length > 0, '{ runtime: { min_version, features } }', where);
  if (isObject(k.platforms)) {
    for (const [name, p] of Object.entries(k.platforms)) {
      const pw = `${where}.platforms.${name}`;
      if (!isObject(p)) { c.fail(`${pw} is not an object`); continue; }
      c.known(p, PLATFORM, pw);
      c.field(p, 'min_version', isSemver, 'x.y.z', pw);
      c.field(p, 'features', (v) => Array.isArray(v) && v.every(isText), 'a list of feature names', pw);
    }
  }
}

/** Checks a parsed kernels.json; every shape failure is listed, then refused together. */
export function checkPack(value: unknown, pack: string): KernelPack {
  const c = new ShapeChecker();
  if (!isObject(value)) throw new PackRefusedError(pack, [{ kernel: null, reason: `${PACK_MANIFEST_FILE} is not a JSON object` }]);
  const m = value;
  if (m.schema !== PACK_SCHEMA) c.fail(`${PACK_MANIFEST_FILE} schema is '${String(m.schema)}', cogsim reads '${PACK_SCHEMA}'`);
  c.known(m, TOP, PACK_MANIFEST_FILE);
  for (const f of ['name', 'description', 'created_at']) c.field(m, f, isText, 'text', PACK_MANIFEST_FILE);
  for (const f of ['version', 'min_runtime_version', 'max_runtime_version']) c.field(m, f, isSemver, 'x.y.z', PACK_MANIFEST_FILE);
  c.field(m, 'profile', (v) => PROFILE_NAMES.includes(v as ProfileName), PROFILE_NAMES.join(' | '), PACK_MANIFEST_FILE);
  c.field(m, 'author', isObject, '{ name, email, signing_key }', PACK_MANIFEST_FILE);
  if (isObject(m.author)) {
    c.known(m.author, AUTHOR, 'author');
    c.field(m.author, 'name', isText, 'text', 'author');
    c.field(m.author, 'email', (v) => typeof v === 'string', 'text', 'author');
    c.field(m.author, 'signing_key', (v) => typeof v === 'string' && v.startsWith(SIGNING_KEY_PREFIX), `'${SIGNING_KEY_PREFIX}' and base64 of the raw 32-byte public key`, 'author');
  }
  c.field(m, 'kernels', (v) => Array.isArray(v) && v.length > 0, 'a non-empty list', PACK_MANIFEST_FILE);
  if (Array.isArray(m.kernels)) {
    m.kernels.forEach((k, i) => checkKernelShape(c, k, i));
    const ids = m.kernels.map((k) => (isObject(k) ? k.id : undefined));
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) c.at(null).fail(`kernel id '${String(dup)}' appears twice`);
  }
  c.at(null).field(m, 'fallbacks', (v) => isObject(v) && Object.values(v).every(isText), '{ kernel id: reference name }', PACK_MANIFEST_FILE);
  if (c.failures.length > 0) throw new PackRefusedError(pack, c.failures);
  return m as unknown as KernelPack;
}
