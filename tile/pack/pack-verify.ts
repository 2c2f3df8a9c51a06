// Verifies a kernel pack before any tile loads from it (ADR-005 section 5): the manifest's
// shape, the signer is trusted, the detached signature covers kernels.json, this runtime's
// version is within the pack's bounds, and per kernel: its id is allowed, the features it
// needs are here, its .wasm matches its hash, it is a tile kernel exporting its entry point,
// and it instantiates within its resource limits. Every failure is collected and refused
// together, one line each; `checks` lists every check that passed (cogsim pack verify).
import { verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileKernel, KernelRejectedError, type LoadedKernel } from '../kernel-module.ts';
import { decodeBase64Exact, keyIdOf, publicKeyFromRaw, RAW_PUBLIC_KEY_BYTES } from '../manifest/keys.ts';
import { displayPath } from '../manifest/manifest-error.ts';
import { SIGNATURE_BYTES } from '../manifest/manifest-format.ts';
import { sha256Hex } from '../manifest/sign-kernel.ts';
import type { TrustStore } from '../manifest/trust-store.ts';
import { TileInstance } from '../tile-instance.ts';
import { variantByName } from '../build/variants.ts';
import { PackRefusedError, type PackFailure } from './pack-error.ts';
import { checkPack, PACK_MANIFEST_FILE, PACK_SIGNATURE_FILE, SIGNING_KEY_PREFIX, type KernelPack, type PackKernel } from './pack-format.ts';
import { packSignedBytes } from './pack-sign.ts';
import { compareSemver, thisRuntime, type PackRuntime } from './runtime.ts';

/** The platform entry a kernel needs for this runtime. */
export const RUNTIME_PLATFORM = 'cogsim';

export interface VerifiedPack {
  /** the pack as named in messages */
  name: string;
  dir: string;
  manifest: KernelPack;
  signerKeyId: string;
  kernels: ReadonlyMap<string, LoadedKernel>;
  /** every check made, one line each */
  checks: string[];
}

function readPackFile(dir: string, file: string, pack: string): Buffer {
  try {
    return readFileSync(join(dir, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PackRefusedError(pack, [{ kernel: null, reason: code === 'ENOENT' ? `${file} is missing` : `${file} cannot be read: ${(err as Error).message}` }]);
  }
}

/** Reads and shape-checks kernels.json. */
export function readPackManifest(dir: string): KernelPack {
  const pack = displayPath(dir);
  const text = readPackFile(dir, PACK_MANIFEST_FILE, pack).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PackRefusedError(pack, [{ kernel: null, reason: `${PACK_MANIFEST_FILE} is not JSON: ${(err as Error).message}` }]);
  }
  return checkPack(value, pack);
}

interface Ledger {
  failures: PackFailure[];
  checks: string[];
}

/** Signer trusted and signature valid; returns the signer's key id. */
function checkSignature(m: KernelPack, sigText: string, trust: TrustStore, log: Ledger): { keyId: string; signed: boolean } {
  const fail = (reason: string): void => void log.failures.push({ kernel: null, reason });
  const raw = decodeBase64Exact(m.author.signing_key.slice(SIGNING_KEY_PREFIX.length), RAW_PUBLIC_KEY_BYTES);
  if (!raw) {
    fail(`author.signing_key is not '${SIGNING_KEY_PREFIX}' and base64 of ${RAW_PUBLIC_KEY_BYTES} bytes`);
    return { keyId: '?', signed: false };
  }
  const keyId = keyIdOf(raw);
  const trusted = trust.keys.some((k) => k.publicKey === Buffer.from(raw).toString('base64'));
  if (trusted) log.checks.push(`signer key ${keyId} is trusted (${trust.source})`);
  else fail(`signed by key ${keyId}, which is not trusted (${trust.source})`);
  const signature = decodeBase64Exact(sigText.trim(), SIGNATURE_BYTES);
  if (!signature) {
    fail(`${PACK_SIGNATURE_FILE} is not base64 of a ${SIGNATURE_BYTES}-byte Ed25519 signature`);
    return { keyId, signed: false };
  }
  const ok = verify(null, packSignedBytes(m), publicKeyFromRaw(raw), signature);
  if (ok) log.checks.push(`${PACK_SIGNATURE_FILE} verifies: Ed25519 by ${keyId} over the canonical ${PACK_MANIFEST_FILE}`);
  else fail(`${PACK_SIGNATURE_FILE} does not verify (${PACK_MANIFEST_FILE} was changed after signing, or signed by another key)`);
  return { keyId, signed: ok && trusted };
}

function checkRuntime(m: KernelPack, runtime: PackRuntime, log: Ledger): void {
  const v = runtime.version;
  const bounds = `${m.min_runtime_version}..${m.max_runtime_version}`;
  if (compareSemver(v, m.min_runtime_version) < 0) log.failures.push({ kernel: null, reason: `runtime ${v} is older than the pack's min_runtime_version ${m.min_runtime_version}` });
  else if (compareSemver(v, m.max_runtime_version) > 0) log.failures.push({ kernel: null, reason: `runtime ${v} is newer than the pack's max_runtime_version ${m.max_runtime_version}` });
  else log.checks.push(`runtime ${v} is within ${bounds}`);
}

/** The checks that need no code to run: id, platform, features, hash. Returns the bytes when they match. */
function checkKernelStatic(dir: string, k: PackKernel, runtime: PackRuntime, log: Ledger): Uint8Array | null {
  const before = log.failures.length;
  const fail = (reason: string): void => void log.failures.push({ kernel: k.id, reason });
  if (runtime.allowedKernelIds.includes(k.id)) log.checks.push(`kernel ${k.id}: id is on the allowlist`);
  else fail(`id is not on this runtime's allowlist (${runtime.allowedKernelIds.join(', ')})`);
  const platform = k.platforms[RUNTIME_PLATFORM];
  if (!platform) fail(`has no platforms.${RUNTIME_PLATFORM} entry: it names no requirements for this runtime`);
  else {
    if (compareSemver(runtime.version, platform.min_version) < 0) fail(`platforms.${RUNTIME_PLATFORM} needs runtime ${platform.min_version}, this is ${runtime.version}`);
    const missing = platform.features.filter((f) => !runtime.features.includes(f));
    if (missing.length > 0) fail(`needs WebAssembly feature ${missing.join(', ')}, which this runtime lacks (it offers ${runtime.features.join(', ')})`);
    else log.checks.push(`kernel ${k.id}: features ${platform.features.join(', ') || '(none)'} are available`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(join(dir, k.path)));
  } catch (err) {
    fail(`${k.path} cannot be read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}`);
    return null;
  }
  const actual = `sha256:${sha256Hex(bytes)}`;
  if (actual !== k.hash) fail(`SHA-256 of ${k.path} is ${actual.slice(0, 23)}…, kernels.json says ${k.hash.slice(0, 23)}… (the file was changed after signing)`);
  else log.checks.push(`kernel ${k.id}: ${k.path} matches its hash ${k.hash.slice(0, 23)}… (${bytes.length} B)`);
  return log.failures.length === before ? bytes : null;
}

/** Compiles a signed, matching kernel as a tile kernel and applies its limits to a test instance. */
function loadPackKernel(k: PackKernel, bytes: Uint8Array, log: Ledger): LoadedKernel | null {
  const fail = (reason: string): null => (log.failures.push({ kernel: k.id, reason }), null);
  let loaded: LoadedKernel;
  try {
    loaded = compileKernel(k.id, bytes, variantByName(k.id).budgeted, variantByName(k.id).image);
  } catch (err) {
    if (err instanceof KernelRejectedError) return fail(err.message.replace(`kernel ${k.id}: `, ''));
    return fail(`does not compile: ${(err as Error).message}`);
  }
  if (!WebAssembly.Module.exports(loaded.module).some((e) => e.name === k.entry_point && e.kind === 'function')) return fail(`entry_point ${k.entry_point} is not an exported function`);
  const limits = { memoryPages: k.resource_limits.max_memory_pages, fuelPerMessage: k.resource_limits.max_fuel_per_message };
  const limited: LoadedKernel = { ...loaded, limits };
  try {
    new TileInstance(0, limited);
  } catch (err) {
    return fail(`does not instantiate within resource_limits.max_memory_pages ${limits.memoryPages}: ${(err as Error).message}`);
  }
  const budget = loaded.hasFuel ? 'enforced by its fuel counter' : 'recorded, not enforced (no fuel counter in this build)';
  log.checks.push(`kernel ${k.id}: tile kernel exporting ${k.entry_point}; instantiated in ${limits.memoryPages} page(s); budget ${limits.fuelPerMessage} loop iterations per message ${budget}`);
  return limited;
}

/** The pack in `dir`, verified for `runtime` against `trust`; throws PackRefusedError listing every failure. */
export function verifyPack(dir: string, trust: TrustStore, runtime: PackRuntime = thisRuntime()): VerifiedPack {
  const name = displayPath(dir);
  const manifest = readPackManifest(dir);
  const log: Ledger = { failures: [], checks: [`${PACK_MANIFEST_FILE}: schema ${manifest.schema}, ${manifest.kernels.length} kernel(s), no unknown fields`] };
  const sigText = readPackFile(dir, PACK_SIGNATURE_FILE, name).toString('utf8');
  const { keyId, signed } = checkSignature(manifest, sigText, trust, log);
  checkRuntime(manifest, runtime, log);
  if (runtime.tileProfiles.includes(manifest.profile)) log.checks.push(`the pack's tiles offer the ${manifest.profile} profile, which this runtime's tiles implement`);
  else log.failures.push({ kernel: null, reason: `profile ${manifest.profile} is not one this runtime's tiles offer (${runtime.tileProfiles.join(', ')})` });
  const kernels = new Map<string, LoadedKernel>();
  for (const k of manifest.kernels) {
    const bytes = checkKernelStatic(dir, k, runtime, log);
    // Nothing of an unsigned or untrusted pack is compiled.
    const loaded = bytes && signed ? loadPackKernel(k, bytes, log) : null;
    if (loaded) kernels.set(k.id, loaded);
  }
  if (log.failures.length > 0) throw new PackRefusedError(name, log.failures);
  return { name, dir, manifest, signerKeyId: keyId, kernels, checks: log.checks };
}
