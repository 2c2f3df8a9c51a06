// The kernel manifest (build/kernel/<kernel>.manifest.json): what a kernel is, its SHA-256,
// who signed it and the Ed25519 signature over every other field. parseManifest checks the
// shape, naming the field that is missing or wrong. See docs/kernel-manifest.md.
import { decodeBase64Exact, KEY_ID_HEX_DIGITS, RAW_PUBLIC_KEY_BYTES } from './keys.ts';
import { KernelManifestError } from './manifest-error.ts';

export const MANIFEST_FORMAT = 'cogsim-kernel-manifest/1';
export const SIGNATURE_BYTES = 64;

export interface KernelFeatures {
  simd: boolean;
  /** window checks on every memory access (exports rvf_mpu_fault) */
  strict: boolean;
  /** the execution budget counter (exports rvf_fuel) */
  fuel: boolean;
}

export interface KernelManifest {
  format: typeof MANIFEST_FORMAT;
  kernel: string;
  file: string;
  bytes: number;
  /** lowercase hex SHA-256 of the .wasm */
  sha256: string;
  /** export names, sorted */
  exports: string[];
  features: KernelFeatures;
  signerKeyId: string;
  /** base64 of the signer's raw 32-byte Ed25519 public key */
  signerPublicKey: string;
  /** base64 of the 64-byte Ed25519 signature over the canonical JSON of the other fields */
  signature: string;
}

const FIELDS = ['format', 'kernel', 'file', 'bytes', 'sha256', 'exports', 'features', 'signerKeyId', 'signerPublicKey', 'signature'];

/** Manifest JSON text to a value, or a KernelManifestError naming where the JSON breaks. */
export function parseManifestText(text: string, kernel: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KernelManifestError(kernel, `manifest ${source} is not JSON: ${(err as Error).message}`);
  }
}

/** Checks a parsed manifest's shape; `kernel` names it in errors until its own name is known. */
export function checkManifest(value: unknown, kernel: string): KernelManifest {
  const fail = (reason: string): never => {
    throw new KernelManifestError(kernel, reason);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('manifest is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) fail(m.format === undefined ? `manifest has no format field (expected '${MANIFEST_FORMAT}')` : `manifest format is '${String(m.format)}', cogsim reads '${MANIFEST_FORMAT}'`);
  if (m.signature === undefined || m.signature === '') fail('manifest is not signed (it has no signature field)');
  const unknown = Object.keys(m).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) fail(`manifest has unknown field ${unknown.map((k) => `'${k}'`).join(', ')}`);
  const field = (name: string, ok: boolean, want: string): void => {
    if (m[name] === undefined) fail(`manifest has no ${name} field (${want})`);
    if (!ok) fail(`manifest field ${name} is ${JSON.stringify(m[name])}, expected ${want}`);
  };
  field('kernel', typeof m.kernel === 'string' && m.kernel.length > 0, 'the kernel name');
  field('file', typeof m.file === 'string' && m.file.length > 0, 'the .wasm file name');
  field('bytes', Number.isSafeInteger(m.bytes) && (m.bytes as number) > 0, 'the .wasm length in bytes');
  field('sha256', typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256), '64 lowercase hex digits');
  field('exports', Array.isArray(m.exports) && m.exports.every((e) => typeof e === 'string'), 'a list of export names');
  const f = m.features as Record<string, unknown> | undefined;
  const flags = ['simd', 'strict', 'fuel'];
  field('features', !!f && typeof f === 'object' && Object.keys(f).length === 3 && flags.every((k) => typeof f[k] === 'boolean'), '{ simd, strict, fuel } booleans');
  field('signerKeyId', typeof m.signerKeyId === 'string' && new RegExp(`^[0-9a-f]{${KEY_ID_HEX_DIGITS}}$`).test(m.signerKeyId), `${KEY_ID_HEX_DIGITS} lowercase hex digits`);
  field('signerPublicKey', typeof m.signerPublicKey === 'string' && !!decodeBase64Exact(m.signerPublicKey, RAW_PUBLIC_KEY_BYTES), `base64 of ${RAW_PUBLIC_KEY_BYTES} bytes`);
  field('signature', typeof m.signature === 'string' && !!decodeBase64Exact(m.signature, SIGNATURE_BYTES), `base64 of ${SIGNATURE_BYTES} bytes`);
  return m as unknown as KernelManifest;
}
