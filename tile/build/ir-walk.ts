// A post-order rewriter over binaryen's IR for the instruction set a tile allows (MVP,
// sign extension, non-trapping float-to-int, bulk memory, SIMD128). binaryen.js has no
// generic child visitor, so each expression kind lists its child slots (getter, setter)
// here; a kind outside that set (atomics, exceptions, GC, tables) is refused by name, so a
// module the instrumentation does not understand is never run half-instrumented.
import binaryen from 'binaryen';

type Ref = number;
type Accessor = { get(e: Ref): Ref; set(e: Ref, v: Ref): void };

export class IrWalkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IrWalkError';
  }
}

// binaryen's wrapper classes carry static getX/setX pairs; the typings omit them.
const B = binaryen as unknown as Record<string, Record<string, (e: Ref, v?: Ref) => Ref>>;

function slot(cls: string, field: string): Accessor {
  const c = B[cls]!;
  return { get: (e) => c[`get${field}`]!(e), set: (e, v) => void c[`set${field}`]!(e, v) };
}

const SLOTS = new Map<number, Accessor[]>([
  [binaryen.IfId, [slot('If', 'Condition'), slot('If', 'IfTrue'), slot('If', 'IfFalse')]],
  [binaryen.LoopId, [slot('Loop', 'Body')]],
  [binaryen.BreakId, [slot('Break', 'Value'), slot('Break', 'Condition')]],
  [binaryen.SwitchId, [slot('Switch', 'Value'), slot('Switch', 'Condition')]],
  [binaryen.LocalSetId, [slot('LocalSet', 'Value')]],
  [binaryen.GlobalSetId, [slot('GlobalSet', 'Value')]],
  [binaryen.LoadId, [slot('Load', 'Ptr')]],
  [binaryen.StoreId, [slot('Store', 'Ptr'), slot('Store', 'Value')]],
  [binaryen.UnaryId, [slot('Unary', 'Value')]],
  [binaryen.BinaryId, [slot('Binary', 'Left'), slot('Binary', 'Right')]],
  [binaryen.SelectId, [slot('Select', 'IfTrue'), slot('Select', 'IfFalse'), slot('Select', 'Condition')]],
  [binaryen.DropId, [slot('Drop', 'Value')]],
  [binaryen.ReturnId, [slot('Return', 'Value')]],
  [binaryen.MemoryGrowId, [slot('MemoryGrow', 'Delta')]],
  [binaryen.SIMDExtractId, [slot('SIMDExtract', 'Vec')]],
  [binaryen.SIMDReplaceId, [slot('SIMDReplace', 'Vec'), slot('SIMDReplace', 'Value')]],
  [binaryen.SIMDShuffleId, [slot('SIMDShuffle', 'Left'), slot('SIMDShuffle', 'Right')]],
  [binaryen.SIMDTernaryId, [slot('SIMDTernary', 'A'), slot('SIMDTernary', 'B'), slot('SIMDTernary', 'C')]],
  [binaryen.SIMDShiftId, [slot('SIMDShift', 'Vec'), slot('SIMDShift', 'Shift')]],
  [binaryen.SIMDLoadId, [slot('SIMDLoad', 'Ptr')]],
  [binaryen.SIMDLoadStoreLaneId, [slot('SIMDLoadStoreLane', 'Ptr'), slot('SIMDLoadStoreLane', 'Vec')]],
  [binaryen.MemoryInitId, [slot('MemoryInit', 'Dest'), slot('MemoryInit', 'Offset'), slot('MemoryInit', 'Size')]],
  [binaryen.MemoryCopyId, [slot('MemoryCopy', 'Dest'), slot('MemoryCopy', 'Source'), slot('MemoryCopy', 'Size')]],
  [binaryen.MemoryFillId, [slot('MemoryFill', 'Dest'), slot('MemoryFill', 'Value'), slot('MemoryFill', 'Size')]],
]);
const LEAVES = new Set([
  binaryen.NopId,
  binaryen.UnreachableId,
  binaryen.ConstId,
  binaryen.LocalGetId,
  binaryen.GlobalGetId,
  binaryen.MemorySizeId,
  binaryen.DataDropId,
]);

/** Indexed children (block items, call operands): count, get, set. */
function listSlots(id: number): { n(e: Ref): number; get(e: Ref, i: number): Ref; set(e: Ref, i: number, v: Ref): void } | undefined {
  const L = binaryen as unknown as Record<string, Record<string, (...a: number[]) => number>>;
  if (id === binaryen.BlockId) return { n: (e) => L.Block!.getNumChildren!(e), get: (e, i) => L.Block!.getChildAt!(e, i), set: (e, i, v) => void L.Block!.setChildAt!(e, i, v) };
  const cls = id === binaryen.CallId ? 'Call' : id === binaryen.CallIndirectId ? 'CallIndirect' : undefined;
  if (!cls) return undefined;
  return { n: (e) => L[cls]!.getNumOperands!(e), get: (e, i) => L[cls]!.getOperandAt!(e, i), set: (e, i, v) => void L[cls]!.setOperandAt!(e, i, v) };
}

/** The expression kinds' names, for refusals. */
function kindName(id: number): string {
  const entry = Object.entries(binaryen).find(([k, v]) => k.endsWith('Id') && v === id);
  return entry ? entry[0].slice(0, -2) : `expression kind ${id}`;
}

/**
 * Rewrites `expr` bottom-up: every child first, then `visit` on the node itself, whose
 * return value replaces it in its parent. Nodes `visit` creates are not walked again.
 */
export function rewriteTree(expr: Ref, visit: (e: Ref, id: number) => Ref): Ref {
  const id = binaryen.getExpressionId(expr);
  const list = listSlots(id);
  if (list) {
    for (let i = 0, n = list.n(expr); i < n; i++) {
      const child = list.get(expr, i);
      const next = rewriteTree(child, visit);
      if (next !== child) list.set(expr, i, next);
    }
    if (id === binaryen.CallIndirectId) rewriteSlot(expr, slot('CallIndirect', 'Target'), visit);
  } else if (SLOTS.has(id)) {
    for (const s of SLOTS.get(id)!) rewriteSlot(expr, s, visit);
  } else if (!LEAVES.has(id)) {
    throw new IrWalkError(`${kindName(id)} is outside the instruction set a tile runs (MVP, SIMD128, bulk memory)`);
  }
  return visit(expr, id);
}

function rewriteSlot(expr: Ref, s: Accessor, visit: (e: Ref, id: number) => Ref): void {
  const child = s.get(expr);
  if (!child) return; // an absent optional operand (if without else, br without value)
  const next = rewriteTree(child, visit);
  if (next !== child) s.set(expr, next);
}

/** Visits every expression under `expr` (children first) without rewriting. */
export function forEachExpression(expr: Ref, fn: (e: Ref, id: number) => void): void {
  rewriteTree(expr, (e, id) => {
    fn(e, id);
    return e;
  });
}
