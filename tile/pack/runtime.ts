// What this tile runtime is, as a kernel pack's compatibility gates see it (ADR-005
// section 5.2): its version (cogsim's package version), the WebAssembly features the tile
// host offers, and the kernel ids it knows how to drive (the tile ABI's builds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../build/paths.ts';
import { CORE_VARIANTS } from '../build/variants.ts';

export interface PackRuntime {
  /** semver x.y.z */
  version: string;
  /** WebAssembly features the host can run */
  features: readonly string[];
  /** kernel ids a pack may carry: anything else is refused */
  allowedKernelIds: readonly string[];
  /** profiles this runtime's tiles can offer (spec section 5): a pack may claim only these */
  tileProfiles: readonly string[];
}

// (module (func (result v128) v128.const i32x4 0 0 0 0)): validates only where SIMD is on.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c,
  ...new Array<number>(16).fill(0), 0x0b,
]);

/** Features every Node >= 20 engine has; the tile's memory is never shared, so no threads. */
const BASE_FEATURES = ['bulk-memory', 'multi-value', 'mutable-globals', 'nontrapping-fptoint', 'sign-ext'];

export function hostFeatures(): string[] {
  return [...BASE_FEATURES, ...(WebAssembly.validate(SIMD_PROBE) ? ['simd'] : [])].sort();
}

export function cogsimVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function thisRuntime(): PackRuntime {
  // The tile kernels read Core segments only (rvf_verify_header) and hold Core's dims.
  return { version: cogsimVersion(), features: hostFeatures(), allowedKernelIds: CORE_VARIANTS.map((v) => v.name), tileProfiles: ['core'] };
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

export function isSemver(text: unknown): text is string {
  return typeof text === 'string' && SEMVER.test(text);
}

/** Negative when a < b (both x.y.z). */
export function compareSemver(a: string, b: string): number {
  const pa = SEMVER.exec(a)!.slice(1).map(Number);
  const pb = SEMVER.exec(b)!.slice(1).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
