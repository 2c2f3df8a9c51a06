// Builds a kernel pack from kernel builds: one kernels.json entry per kernel (file, SHA-256,
// the tile ABI's entry point and interface, resource limits, platform features, measured
// benchmarks), the fallbacks to the TypeScript reference, and the detached signature.
import type { KeyObject } from 'node:crypto';
import { MEMORY_PAGES } from '../../wat/layout.ts';
import { compileKernel } from '../kernel-module.ts';
import { sha256Hex } from '../manifest/sign-kernel.ts';
import { variantByName } from '../build/variants.ts';
import { measureBenchmarks } from './benchmark.ts';
import { PACK_SCHEMA, type KernelPack, type PackKernel, type ProfileName } from './pack-format.ts';
import { signingKeyField, signPack } from './pack-sign.ts';
import { RUNTIME_PLATFORM } from './pack-verify.ts';

/** The watchdog's budget in loop iterations per message (sim/tile-node.ts WATCHDOG_FUEL_PER_MESSAGE, docs/faults.md). */
export const DEFAULT_FUEL_PER_MESSAGE = 200_000;
/** What tile/build/assemble.ts enables for every build; SIMD builds add simd. */
const BUILD_FEATURES = ['bulk-memory', 'mutable-globals', 'nontrapping-fptoint', 'sign-ext'];
export const TS_REFERENCE = 'typescript-reference (tile/reference)';

export interface PackKernelSource {
  id: string;
  bytes: Uint8Array;
}

export interface PackMeta {
  name: string;
  version: string;
  description: string;
  createdAt: string;
  authorName: string;
  authorEmail: string;
  minRuntimeVersion: string;
  maxRuntimeVersion: string;
  profile: ProfileName;
}

function kernelEntry(src: PackKernelSource, meta: PackMeta, nowMs: () => number): PackKernel {
  const variant = variantByName(src.id);
  const loaded = compileKernel(src.id, src.bytes, variant.budgeted, variant.image);
  return {
    id: src.id,
    name: `cogsim tile kernel, ${variant.flavor}${variant.strict ? ', window checks' : ''}${variant.fuel ? ', fuel counter' : ''}`,
    category: 'vector_search',
    path: `kernels/${src.id}.wasm`,
    hash: `sha256:${sha256Hex(src.bytes)}`,
    entry_point: 'rvf_on_message',
    inputs: [{ name: 'request', dtype: 'u8', shape: ['message_bytes'] }],
    outputs: [{ name: 'reply', dtype: 'u8', shape: ['message_bytes'] }],
    params: { dtype: { type: 'u8', default: 1 }, metric: { type: 'u8', default: 0 }, k: { type: 'u8', default: 10 }, dim: { type: 'u16', default: 128 } },
    resource_limits: { max_memory_pages: MEMORY_PAGES, max_fuel_per_message: DEFAULT_FUEL_PER_MESSAGE },
    platforms: { [RUNTIME_PLATFORM]: { min_version: meta.minRuntimeVersion, features: [...BUILD_FEATURES, ...(variant.flavor === 'simd' ? ['simd'] : [])].sort() } },
    benchmarks: measureBenchmarks(loaded, nowMs),
  };
}

export interface BuiltPack {
  manifest: KernelPack;
  /** kernels.json.sig's text */
  signature: string;
  files: { path: string; bytes: Uint8Array }[];
}

/**
 * The pack for `kernels`, signed by `key`. `edit` changes the manifest before signing
 * (tests make packs with other bounds or features this way, validly signed).
 */
export function buildPack(kernels: readonly PackKernelSource[], meta: PackMeta, key: KeyObject, nowMs: () => number, edit?: (m: KernelPack) => void): BuiltPack {
  const manifest: KernelPack = {
    schema: PACK_SCHEMA,
    name: meta.name,
    version: meta.version,
    description: meta.description,
    min_runtime_version: meta.minRuntimeVersion,
    max_runtime_version: meta.maxRuntimeVersion,
    created_at: meta.createdAt,
    profile: meta.profile,
    author: { name: meta.authorName, email: meta.authorEmail, signing_key: signingKeyField(key) },
    kernels: kernels.map((k) => kernelEntry(k, meta, nowMs)),
    fallbacks: Object.fromEntries(kernels.map((k) => [k.id, TS_REFERENCE])),
  };
  edit?.(manifest);
  return { manifest, signature: signPack(manifest, key), files: kernels.map((k) => ({ path: `kernels/${k.id}.wasm`, bytes: k.bytes })) };
}
