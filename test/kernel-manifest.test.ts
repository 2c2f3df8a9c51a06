// Signed kernel manifests (docs/kernel-manifest.md): a built kernel verifies and loads; a
// changed .wasm, an unsigned or changed manifest and an untrusted signer are each refused
// with the documented message, and trusting the signer makes its kernel load. Tampering
// happens on temp copies; build/kernel is never modified.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestPath, TRUST_STORE_PATH, wasmPath } from '../tile/build/paths.ts';
import { KERNEL_VARIANTS } from '../tile/build/variants.ts';
import { loadKernel, loadKernelFrom } from '../tile/kernel-module.ts';
import { ensureSigningKey, SIGNING_KEY_FILE, TRUST_STORE_FILE } from '../tile/manifest/build-key.ts';
import { signedBytes } from '../tile/manifest/canonical.ts';
import { base64, keyIdOf, rawPublicKey } from '../tile/manifest/keys.ts';
import { KernelKeyError, KernelManifestError } from '../tile/manifest/manifest-error.ts';
import type { KernelManifest } from '../tile/manifest/manifest-format.ts';
import { sha256Hex, signKernel } from '../tile/manifest/sign-kernel.ts';
import { readKeyFile, readTrustStore, trustedKey, withKeys, writeTrustStore } from '../tile/manifest/trust-store.ts';
import { verifyKernel } from '../tile/manifest/verify-kernel.ts';
import { TileInstance } from '../tile/tile-instance.ts';
import { cogsim, SMALL_RUN, type CliResult } from './helpers/cli.ts';

// A --kernel-file run loads binaryen to write the checks into the kernel: give CLI runs room
// on a busy machine.
const SLOW_CLI = 300_000;
const SLOW_TEST = 600_000;

let dir = '';
const tmp = (name: string): string => join(dir, name);
const simdBytes = (): Uint8Array => new Uint8Array(readFileSync(wasmPath('simd')));
const simdManifest = (): KernelManifest => JSON.parse(readFileSync(manifestPath('simd'), 'utf8')) as KernelManifest;
const trust = () => readTrustStore(TRUST_STORE_PATH);
const otherKey: KeyObject = generateKeyPairSync('ed25519').privateKey;
const otherKeyId = keyIdOf(rawPublicKey(otherKey));

/** Signs changed fields with `key`, as a forger holding that key could. */
function resign(fields: Omit<KernelManifest, 'signature'>, key: KeyObject): KernelManifest {
  return { ...fields, signature: base64(sign(null, signedBytes(fields), key)) };
}

function refusal(fn: () => unknown): KernelManifestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KernelManifestError);
    return err as KernelManifestError;
  }
  throw new Error('expected a KernelManifestError, nothing was thrown');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cogsim-manifest-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a built kernel and its manifest', () => {
  it('verifies against the default trust store and loads, for every build', () => {
    for (const v of KERNEL_VARIANTS) {
      const bytes = new Uint8Array(readFileSync(wasmPath(v.name)));
      const manifest = JSON.parse(readFileSync(manifestPath(v.name), 'utf8')) as unknown;
      const verified = verifyKernel(bytes, manifest, trust());
      expect(verified.kernel).toBe(v.name);
      expect(verified.sha256).toBe(sha256Hex(bytes));
      expect(verified.bytes).toBe(bytes.length);
      expect(verified.features).toEqual({ simd: v.flavor === 'simd', strict: v.strict, fuel: v.fuel });
      const loaded = loadKernel(v.name);
      expect(loaded.manifest?.sha256).toBe(verified.sha256);
      expect(loaded.hasFuel).toBe(v.fuel);
      expect(loaded.hasStrict).toBe(v.strict);
    }
  });

  it('names the signer by the first 16 hex digits of SHA-256 of its raw public key', () => {
    const m = simdManifest();
    const raw = Buffer.from(m.signerPublicKey, 'base64');
    expect(raw.length).toBe(32);
    expect(m.signerKeyId).toBe(sha256Hex(raw).slice(0, 16));
    expect(trust().keys.map((k) => k.keyId)).toContain(m.signerKeyId);
  });

  it('loads an untouched copy through loadKernelFrom and runs it on a tile', () => {
    writeFileSync(tmp('copy.wasm'), simdBytes());
    writeFileSync(tmp('copy.manifest.json'), JSON.stringify(simdManifest()));
    const kernel = loadKernelFrom(tmp('copy.wasm'), tmp('copy.manifest.json'), trust());
    expect(kernel.variant).toBe('simd');
    expect(new TileInstance(0, kernel).kernel.manifest?.kernel).toBe('simd');
  });
});

describe('a kernel that was changed after signing', () => {
  it('is refused when one byte of the .wasm is flipped, naming both hashes', () => {
    const bytes = simdBytes();
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    const m = simdManifest();
    const err = refusal(() => verifyKernel(bytes, m, trust(), { kernel: 'simd', wasmPath: wasmPath('simd') }));
    expect(err.message).toBe(
      `kernel simd: SHA-256 of build/kernel/simd.wasm is ${sha256Hex(bytes).slice(0, 16)}…, its manifest says ${m.sha256.slice(0, 16)}… (the file was changed after signing)`,
    );
  });

  it('is refused through loadKernelFrom before it is compiled, and the refusal names the temp file', () => {
    const bytes = simdBytes();
    bytes[100] = bytes[100]! ^ 0x80;
    writeFileSync(tmp('flipped.wasm'), bytes);
    writeFileSync(tmp('flipped.manifest.json'), JSON.stringify(simdManifest()));
    const err = refusal(() => loadKernelFrom(tmp('flipped.wasm'), tmp('flipped.manifest.json'), trust()));
    expect(err.message).toMatch(/^kernel flipped: SHA-256 of .*flipped\.wasm is [0-9a-f]{16}…, its manifest says [0-9a-f]{16}… \(the file was changed after signing\)$/);
  });

  it('is refused when the .wasm is one byte longer than the manifest says', () => {
    const bytes = simdBytes();
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(refusal(() => verifyKernel(longer, simdManifest(), trust(), { wasmPath: 'k.wasm' })).message).toBe(
      `kernel simd: k.wasm is ${bytes.length + 1} B, its manifest says ${bytes.length} B (the file was changed after signing)`,
    );
  });
});

describe('a manifest that was changed or not signed', () => {
  it('is refused when its signature is removed', () => {
    const { signature: _dropped, ...unsigned } = simdManifest();
    expect(refusal(() => verifyKernel(simdBytes(), unsigned, trust())).message).toBe('kernel simd: manifest is not signed (it has no signature field)');
  });

  it('is refused when its exports, byte length or features were changed', () => {
    const m = simdManifest();
    const changed: KernelManifest[] = [
      { ...m, exports: [...m.exports, 'rvf_backdoor'] },
      { ...m, bytes: m.bytes + 1 },
      { ...m, features: { ...m.features, fuel: true } },
      { ...m, kernel: 'scalar' },
    ];
    for (const c of changed) {
      expect(refusal(() => verifyKernel(simdBytes(), c, trust(), { kernel: 'simd' })).message).toBe('kernel simd: signature does not verify (manifest fields were changed after signing)');
    }
  });

  it('is refused when signed by a key not in the trust store, naming the key and the store', () => {
    const forged = signKernel(simdBytes(), { kernel: 'simd', file: 'simd.wasm', simd: true }, otherKey);
    expect(refusal(() => verifyKernel(simdBytes(), forged, trust())).message).toBe(`kernel simd: signed by key ${otherKeyId}, which is not in build/keys/trusted-kernel-keys.json`);
  });

  it('is refused when it names a trusted key but carries another key\'s signature', () => {
    const m = simdManifest();
    const forged = signKernel(simdBytes(), { kernel: 'simd', file: 'simd.wasm', simd: true }, otherKey);
    const claimed = { ...forged, signerKeyId: m.signerKeyId, signerPublicKey: m.signerPublicKey };
    expect(refusal(() => verifyKernel(simdBytes(), claimed, trust())).message).toBe('kernel simd: signature does not verify (manifest fields were changed after signing)');
  });

  it('is refused when its signerKeyId is not the id of its public key', () => {
    const m = simdManifest();
    const wrongId = m.signerKeyId.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(refusal(() => verifyKernel(simdBytes(), { ...m, signerKeyId: wrongId }, trust())).message).toBe(
      `kernel simd: manifest signerKeyId ${wrongId} is not the id of its signerPublicKey (${m.signerKeyId})`,
    );
  });

  it('takes a 64-byte signature and refuses 63 or 65 bytes, naming the field', () => {
    const m = simdManifest();
    const sig = Buffer.from(m.signature, 'base64');
    expect(verifyKernel(simdBytes(), { ...m, signature: sig.toString('base64') }, trust()).kernel).toBe('simd');
    for (const bad of [sig.subarray(0, 63), Buffer.concat([sig, Buffer.from([0])])]) {
      expect(refusal(() => verifyKernel(simdBytes(), { ...m, signature: bad.toString('base64') }, trust())).message).toMatch(/^kernel simd: manifest field signature is ".*", expected base64 of 64 bytes$/);
    }
  });

  it('names a missing or malformed field, an unknown field and a wrong format', () => {
    const m = simdManifest();
    const { sha256: _gone, ...noHash } = m;
    expect(refusal(() => verifyKernel(simdBytes(), noHash, trust())).message).toBe('kernel simd: manifest has no sha256 field (64 lowercase hex digits)');
    expect(refusal(() => verifyKernel(simdBytes(), { ...m, sha256: m.sha256.toUpperCase() }, trust())).message).toMatch(/manifest field sha256 is "[0-9A-F]{64}", expected 64 lowercase hex digits$/);
    expect(refusal(() => verifyKernel(simdBytes(), { ...m, exports: 'rvf_init' }, trust())).message).toBe('kernel simd: manifest field exports is "rvf_init", expected a list of export names');
    expect(refusal(() => verifyKernel(simdBytes(), { ...m, extra: 1 }, trust())).message).toBe("kernel simd: manifest has unknown field 'extra'");
    expect(refusal(() => verifyKernel(simdBytes(), { ...m, format: 'cogsim-kernel-manifest/2' }, trust())).message).toBe(
      "kernel simd: manifest format is 'cogsim-kernel-manifest/2', cogsim reads 'cogsim-kernel-manifest/1'",
    );
    expect(refusal(() => verifyKernel(simdBytes(), [m], trust(), { kernel: 'simd' })).message).toBe('kernel simd: manifest is not a JSON object');
  });

  it('is refused when the manifest file is not JSON, naming the file', () => {
    writeFileSync(tmp('bad.wasm'), simdBytes());
    writeFileSync(tmp('bad.manifest.json'), '{"format": "cogsim-kernel-manifest/1",');
    expect(refusal(() => loadKernelFrom(tmp('bad.wasm'), tmp('bad.manifest.json'), trust())).message).toMatch(/^kernel bad: manifest .*bad\.manifest\.json is not JSON: /);
  });

  it('is refused when a trusted signer lists exports the module does not have', () => {
    const m = simdManifest();
    const { signature: _s, ...fields } = signKernel(simdBytes(), { kernel: 'simd', file: 'simd.wasm', simd: true }, otherKey);
    const lying = resign({ ...fields, exports: fields.exports.filter((e) => e !== 'rvf_crc32c') }, otherKey);
    writeFileSync(tmp('lying.wasm'), simdBytes());
    writeFileSync(tmp('lying.manifest.json'), JSON.stringify(lying));
    const store = withKeys(trust(), [trustedKey(rawPublicKey(otherKey))], 'test key');
    expect(refusal(() => loadKernelFrom(tmp('lying.wasm'), tmp('lying.manifest.json'), store)).message).toMatch(/^kernel simd: module exports .*rvf_crc32c.*; its manifest lists (?!.*rvf_crc32c)/);
    expect(m.exports).toContain('rvf_crc32c');
  });
});

describe('the trust store', () => {
  it('makes another key\'s kernel load once that key is added to it', () => {
    const theirs = signKernel(simdBytes(), { kernel: 'theirs', file: 'theirs.wasm', simd: true }, otherKey);
    writeFileSync(tmp('theirs.wasm'), simdBytes());
    writeFileSync(tmp('theirs.manifest.json'), JSON.stringify(theirs));
    const before = tmp('before.json');
    writeTrustStore(before, trust().keys);
    expect(refusal(() => loadKernelFrom(tmp('theirs.wasm'), tmp('theirs.manifest.json'), readTrustStore(before))).message).toMatch(
      new RegExp(`^kernel theirs: signed by key ${otherKeyId}, which is not in .*before\\.json$`),
    );
    const after = tmp('after.json');
    writeTrustStore(after, [...trust().keys, trustedKey(rawPublicKey(otherKey), 'a colleague')]);
    const kernel = loadKernelFrom(tmp('theirs.wasm'), tmp('theirs.manifest.json'), readTrustStore(after));
    expect(kernel.manifest?.signerKeyId).toBe(otherKeyId);
    expect(new TileInstance(1, kernel).kernel.variant).toBe('theirs');
  });

  it('reads a --trust-key PEM public key, and refuses a key file that is not Ed25519', () => {
    writeFileSync(tmp('other.pub.pem'), createPublicKey(otherKey).export({ format: 'pem', type: 'spki' }));
    expect(readKeyFile(tmp('other.pub.pem')).map((k) => k.keyId)).toEqual([otherKeyId]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' });
    writeFileSync(tmp('rsa.pem'), rsa);
    expect(() => readKeyFile(tmp('rsa.pem'))).toThrow(KernelKeyError);
    expect(() => readKeyFile(tmp('rsa.pem'))).toThrow(/rsa\.pem: key is rsa, kernel signing uses ed25519/);
  });

  it('refuses an entry whose public key is not 32 bytes or whose keyId does not match', () => {
    const raw = rawPublicKey(otherKey);
    writeFileSync(tmp('short.json'), JSON.stringify({ keys: [{ publicKey: base64(raw.subarray(0, 31)) }] }));
    expect(() => readTrustStore(tmp('short.json'))).toThrow(/short\.json keys\[0\] publicKey '.*' is not base64 of 32 bytes/);
    writeFileSync(tmp('exact.json'), JSON.stringify({ keys: [{ publicKey: base64(raw) }] }));
    expect(readTrustStore(tmp('exact.json')).keys[0]!.keyId).toBe(otherKeyId);
    writeFileSync(tmp('wrong-id.json'), JSON.stringify({ keys: [{ keyId: '0000000000000000', publicKey: base64(raw) }] }));
    expect(() => readTrustStore(tmp('wrong-id.json'))).toThrow(`keyId is '0000000000000000', its publicKey's id is ${otherKeyId}`);
  });

  it('is created with the build key on the first build, and the key is kept after that', () => {
    const keys = tmp('keys');
    const first = ensureSigningKey(keys);
    const second = ensureSigningKey(keys);
    expect(base64(rawPublicKey(second))).toBe(base64(rawPublicKey(first)));
    expect(readFileSync(join(keys, SIGNING_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const store = readTrustStore(join(keys, TRUST_STORE_FILE));
    expect(store.keys.map((k) => k.keyId)).toEqual([keyIdOf(rawPublicKey(first))]);
  });
});

describe('cogsim with --kernel-file and sign-kernel', () => {
  function expectOneLineRefusal(r: CliResult, mentions: RegExp): void {
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cogsim: /);
    expect(lines[0]).toMatch(mentions);
  }

  it('runs an untouched copy of a built kernel given with --kernel-file', () => {
    writeFileSync(tmp('cli-ok.wasm'), simdBytes());
    writeFileSync(tmp('cli-ok.manifest.json'), JSON.stringify(simdManifest()));
    const r = cogsim([...SMALL_RUN, '--kernel-file', tmp('cli-ok.wasm'), '--manifest', tmp('cli-ok.manifest.json')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^trace sha256\s+[0-9a-f]{64}$/m);
  });

  it('refuses a tampered --kernel-file with one line naming both hashes and a non-zero exit', () => {
    const bytes = simdBytes();
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x10;
    writeFileSync(tmp('cli-bad.wasm'), bytes);
    writeFileSync(tmp('cli-bad.manifest.json'), JSON.stringify(simdManifest()));
    const r = cogsim([...SMALL_RUN, '--kernel-file', tmp('cli-bad.wasm'), '--manifest', tmp('cli-bad.manifest.json')]);
    expectOneLineRefusal(r, new RegExp(`SHA-256 of .*cli-bad\\.wasm is ${sha256Hex(bytes).slice(0, 16)}…, its manifest says ${simdManifest().sha256.slice(0, 16)}…`));
  });

  it('signs a kernel with sign-kernel, refuses it untrusted and runs it with --trust-key', () => {
    writeFileSync(tmp('mine.wasm'), simdBytes());
    writeFileSync(tmp('mine.pem'), otherKey.export({ format: 'pem', type: 'pkcs8' }));
    const signed = cogsim(['sign-kernel', tmp('mine.wasm'), '--key', tmp('mine.pem')]);
    expect(signed.stderr).toBe('');
    expect(signed.status).toBe(0);
    expect(signed.stdout).toContain(`key ${otherKeyId} -> ${tmp('mine.manifest.json')}`);
    const manifest = JSON.parse(readFileSync(tmp('mine.manifest.json'), 'utf8')) as KernelManifest;
    expect(manifest).toMatchObject({ kernel: 'mine', file: 'mine.wasm', features: { simd: false, strict: false, fuel: false }, signerKeyId: otherKeyId });
    expectOneLineRefusal(cogsim([...SMALL_RUN, '--kernel-file', tmp('mine.wasm')]), new RegExp(`signed by key ${otherKeyId}, which is not in build/keys/trusted-kernel-keys.json$`));
    const trusted = cogsim([...SMALL_RUN, '--kernel-file', tmp('mine.wasm'), '--trust-key', tmp('mine.pem')], SLOW_CLI);
    expect(trusted.stderr).toBe('');
    expect(trusted.status).toBe(0);
  }, SLOW_TEST);

  it('refuses --manifest without --kernel-file', () => {
    expectOneLineRefusal(cogsim([...SMALL_RUN, '--manifest', tmp('x.json')]), /--manifest .*x\.json needs --kernel-file/);
  });

  it('budgets a --kernel-file on its own bytes whatever its manifest says', () => {
    // A signed instrumented build (manifest: strict, fuel) is no longer exempt from 8,192 B.
    writeFileSync(tmp('sf.wasm'), readFileSync(wasmPath('simd-strict-fuel')));
    writeFileSync(tmp('sf.manifest.json'), readFileSync(manifestPath('simd-strict-fuel')));
    expectOneLineRefusal(cogsim([...SMALL_RUN, '--kernel-file', tmp('sf.wasm')], SLOW_CLI), /kernel simd-strict-fuel: module is [\d,]+ B, a tile's code memory holds 8,192 B$/);
  }, SLOW_TEST);

  it('runs cogsim faults on a plain --kernel-file: the run writes the window checks and the watchdog into it', () => {
    writeFileSync(tmp('plain.wasm'), simdBytes());
    writeFileSync(tmp('plain.manifest.json'), JSON.stringify(simdManifest()));
    const faults = cogsim(['faults', ...SMALL_RUN.slice(1), '--kernel-file', tmp('plain.wasm')], SLOW_CLI);
    expect(faults.stderr).toBe('');
    expect(faults.status).toBe(0);
    expect(faults.stdout).toMatch(/every injected fault was detected/);
  }, SLOW_TEST);
});
