// Reads the section layout of a WebAssembly binary: enough to measure a kernel (module,
// code section, each function body) and to check what it declares (imports, memories).
// This is measurement, so it reads the bytes the tile would hold, not the WAT.

export interface WasmSection {
  id: number;
  name: string;
  offset: number; // of the section id byte
  bytes: number; // whole section: id + size field + content
  contentOffset: number;
  contentBytes: number;
}

export interface FunctionBody {
  index: number; // in the function index space (imports first)
  name: string; // export name, or `$name` of an internal function, or `(internal N)`
  exported: boolean;
  bodyBytes: number; // size field + body, as it sits in the code section
  offset: number; // of the size field, in the module's bytes
}

export class WasmFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WasmFormatError';
  }
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'];

class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
  ) {}
  u8(): number {
    if (this.pos >= this.bytes.length) throw new WasmFormatError(`truncated at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new WasmFormatError(`LEB128 too long at byte ${this.pos}`);
    }
  }
  name(): string {
    const len = this.leb();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}

export function readSections(bytes: Uint8Array): WasmSection[] {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    throw new WasmFormatError(`not a WebAssembly module: first bytes ${hex(bytes.subarray(0, 4))}, expected 00 61 73 6d`);
  }
  const sections: WasmSection[] = [];
  const c = new Cursor(bytes, 8);
  while (c.pos < bytes.length) {
    const offset = c.pos;
    const id = c.u8();
    const contentBytes = c.leb();
    const contentOffset = c.pos;
    if (contentOffset + contentBytes > bytes.length) {
      throw new WasmFormatError(`section ${id} at byte ${offset} claims ${contentBytes} B, only ${bytes.length - contentOffset} B remain`);
    }
    sections.push({ id, name: SECTION_NAMES[id] ?? `unknown(${id})`, offset, bytes: contentOffset + contentBytes - offset, contentOffset, contentBytes });
    c.pos = contentOffset + contentBytes;
  }
  return sections;
}

export function countImportedFunctions(bytes: Uint8Array, sections: WasmSection[]): number {
  const imp = sections.find((s) => s.id === 2);
  if (!imp) return 0;
  const c = new Cursor(bytes, imp.contentOffset);
  let functions = 0;
  for (let n = c.leb(); n > 0; n--) {
    c.name();
    c.name();
    const kind = c.u8();
    if (kind === 0) {
      c.leb();
      functions++;
    } else if (kind === 1) {
      c.u8();
      skipLimits(c);
    } else if (kind === 2) {
      skipLimits(c);
    } else if (kind === 3) {
      c.u8();
      c.u8();
    } else {
      throw new WasmFormatError(`unknown import kind ${kind} at byte ${c.pos - 1}`);
    }
  }
  return functions;
}

function skipLimits(c: Cursor): void {
  const flags = c.u8();
  c.leb();
  if (flags & 1) c.leb();
}

export function exportedFunctionNames(bytes: Uint8Array, sections: WasmSection[]): Map<number, string> {
  const names = new Map<number, string>();
  const exp = sections.find((s) => s.id === 7);
  if (!exp) return names;
  const c = new Cursor(bytes, exp.contentOffset);
  for (let n = c.leb(); n > 0; n--) {
    const name = c.name();
    const kind = c.u8();
    const index = c.leb();
    if (kind === 0 && !names.has(index)) names.set(index, name);
  }
  return names;
}

export function functionBodies(bytes: Uint8Array, internalNames = new Map<number, string>()): FunctionBody[] {
  const sections = readSections(bytes);
  const code = sections.find((s) => s.id === 10);
  if (!code) return [];
  const imported = countImportedFunctions(bytes, sections);
  const names = exportedFunctionNames(bytes, sections);
  const c = new Cursor(bytes, code.contentOffset);
  const bodies: FunctionBody[] = [];
  const count = c.leb();
  for (let i = 0; i < count; i++) {
    const start = c.pos;
    const size = c.leb();
    c.pos += size;
    const index = imported + i;
    const internal = internalNames.get(index);
    const name = names.get(index) ?? (internal ? `$${internal}` : `(internal ${index})`);
    bodies.push({ index, name, exported: names.has(index), bodyBytes: c.pos - start, offset: start });
  }
  return bodies;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Function names from the "name" custom section (subsection 1), when present. */
export function nameSectionFunctionNames(bytes: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  for (const s of readSections(bytes)) {
    if (s.id !== 0) continue;
    const c = new Cursor(bytes, s.contentOffset);
    if (c.name() !== 'name') continue;
    const end = s.contentOffset + s.contentBytes;
    while (c.pos < end) {
      const sub = c.u8();
      const size = c.leb();
      const next = c.pos + size;
      if (sub === 1) {
        for (let n = c.leb(); n > 0; n--) {
          const index = c.leb();
          names.set(index, c.name());
        }
      }
      c.pos = next;
    }
  }
  return names;
}

/** The module without its custom sections: what a tile's code memory would hold. */
export function stripCustomSections(bytes: Uint8Array): Uint8Array {
  const kept = readSections(bytes).filter((s) => s.id !== 0);
  const out = new Uint8Array(8 + kept.reduce((n, s) => n + s.bytes, 0));
  out.set(bytes.subarray(0, 8), 0);
  let pos = 8;
  for (const s of kept) {
    out.set(bytes.subarray(s.offset, s.offset + s.bytes), pos);
    pos += s.bytes;
  }
  return out;
}
