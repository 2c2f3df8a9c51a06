// The PQ6 codebook as LOAD_PARAMS kind 3 messages (docs/protocol.md "LOAD_PARAMS"): whole
// subspaces a message, as many as fit its data bytes, a = M, b = the first subspace, offset
// and total the piece's place in the whole codebook. The tile builds the loaded query's
// table from them, so the hub sends them after every LOAD_QUERY.
import type { LoadParamsMsg } from '../../protocol/types.ts';
import { LP_F_FINAL, LP_KIND_PQ6 } from '../../wat/layout.ts';
import { pq6PieceRoom, pq6SubspaceBytes } from './run-shape.ts';
import type { Pq6Codebook } from './train.ts';

export function pq6PieceMessages(book: Pq6Codebook, sealed: boolean): LoadParamsMsg[] {
  const sub = pq6SubspaceBytes(book.dim, book.m);
  const per = Math.floor(pq6PieceRoom(sealed) / sub);
  if (per < 1) throw new RangeError(`PQ6 subspace of ${sub} B does not fit one LOAD_PARAMS message (${pq6PieceRoom(sealed)} B)`);
  const bytes = new Uint8Array(book.halves.buffer, book.halves.byteOffset, book.halves.byteLength);
  const out: LoadParamsMsg[] = [];
  for (let first = 0; first < book.m; first += per) {
    const count = Math.min(per, book.m - first);
    const data = bytes.slice(first * sub, (first + count) * sub);
    out.push({ type: 'LOAD_PARAMS', msgId: 0, kind: LP_KIND_PQ6, flags: LP_F_FINAL, a: book.m, b: first, offset: first * sub, totalBytes: book.m * sub, data });
  }
  return out;
}
