;; PQ with 6-bit codes, a Hot-profile feature (spec section 5: "i8 scalar + PQ (6-bit)";
;; docs/format.md "PQ 6-bit codes"). The config dim is split into M subspaces of width
;; w = dim / M, each with @PQ6_K = 64 centroids, so a code is 6 bits and four codes pack
;; into three bytes: the little-endian 24-bit group g = b0 | b1 << 8 | b2 << 16 holds code
;; 4i + j in bits 6j..6j+5. M is a multiple of 4 (whole groups, no padding) and at most
;; @PQ6_MAX_M (the M x 64 f32 table fills the 8 KB PQ table area at M = 32).
;;
;; The codebook (64 x dim fp16: 48 KB at dim 384) does not fit the tile, and the tile only
;; needs the table, so the table is built subspace by subspace from codebook pieces as
;; they arrive (rvf_pq6_table) and the codebook is never kept. The table belongs to the
;; query loaded when it was built: LOAD_QUERY and RESET clear @ST_PQ_TABLES, which makes
;; it stale; a host calling rvf_load_query directly rebuilds it.

;; rvf_pq6_table(codebook_ptr, M, first, count): table rows first .. first+count-1 from
;; count subspaces of centroids at codebook_ptr (subspace-major, centroid c of the piece's
;; subspace s at ((s*64 + c) * w) * 2, w fp16 each), against the loaded fp16 query. first 0
;; starts a new table; a later piece must continue it (first = rows built, the same M),
;; else @ERR_INVALID_PARAMS. Needs an fp16 query of the config dim (@ERR_NO_QUERY,
;; @ERR_BAD_DTYPE, @ERR_BAD_DIM); M a multiple of 4 in 4..@PQ6_MAX_M dividing the dim,
;; count >= 1 and first + count <= M (@ERR_INVALID_PARAMS). Everything is checked before
;; anything is written. The piece must not overlap the table (its rows are written while
;; the piece is read). @ST_PQ_TABLES keeps the progress: @PQ_TABLES_PQ6 | rows built <<
;; @PQ6_STATE_ROWS_SHIFT | M << @PQ6_STATE_M_SHIFT.
(func $rvf_pq6_table (export "rvf_load_pq_codebook") (param $cb i32) (param $m i32) (param $first i32) (param $count i32) (result i32)
  (local $dim i32) (local $bytes i32)
  (local.set $dim (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR)))
  (if (i32.eqz (call $st_get (i32.const @ST_QUERY_DIM))) (then (return (i32.const @ERR_NO_QUERY))))
  (if (i32.ne (call $st_get (i32.const @ST_QUERY_DTYPE)) (i32.const @DTYPE_FP16)) (then (return (i32.const @ERR_BAD_DTYPE))))
  (if (i32.or (i32.eqz (local.get $dim)) (i32.ne (call $st_get (i32.const @ST_QUERY_DIM)) (local.get $dim)))
    (then (return (i32.const @ERR_BAD_DIM))))
  ;; M in 4..32 and a multiple of 4: (M - 4) <= 28 unsigned, low two bits clear. The
  ;; select keeps rem_u from dividing by 0 (i32.or evaluates every operand).
  (if (i32.or (i32.or (i32.gt_u (i32.sub (local.get $m) (i32.const 4)) (i32.const @PQ6_MAX_M_LESS_4))
                      (i32.and (local.get $m) (i32.const 3)))
              (i32.rem_u (local.get $dim) (select (local.get $m) (i32.const 1) (local.get $m))))
    (then (return (i32.const @ERR_INVALID_PARAMS))))
  (if (i32.or (i32.eqz (local.get $count))
              (i64.gt_u (i64.add (i64.extend_i32_u (local.get $first)) (i64.extend_i32_u (local.get $count))) (i64.extend_i32_u (local.get $m))))
    (then (return (i32.const @ERR_INVALID_PARAMS))))
  ;; A continuation extends this query's table: same M, next row.
  (if (local.get $first)
    (then
      (if (i32.ne (call $st_get (i32.const @ST_PQ_TABLES)) (call $pq6_state (local.get $first) (local.get $m)))
        (then (return (i32.const @ERR_INVALID_PARAMS))))))
  ;; The piece: count * 64 * w fp16 = count * (dim / M) << 7 bytes (< 2^18: no overflow).
  (local.set $bytes (i32.shl (i32.mul (local.get $count) (i32.div_u (local.get $dim) (local.get $m))) (i32.const 7)))
  (if (i32.eqz (call $range_ok (local.get $cb) (local.get $bytes)))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (call $work (i32.const @WK_DIST_ELEMS) (i32.shr_u (local.get $bytes) (i32.const 1)))
  (call $st_set (i32.const @ST_PQ_TABLES) (call $pq6_state (i32.add (local.get $first) (local.get $count)) (local.get $m)))
  ;; Entries first*64 .. (first+count)*64 - 1: Core PQ's table build (wat/71-pq.wat), K = 64.
  (call $pq_table_build (local.get $cb) (i32.shl (local.get $first) (i32.const 6))
    (i32.shl (i32.add (local.get $first) (local.get $count)) (i32.const 6)) (i32.const @PQ6_K) (i32.div_u (local.get $dim) (local.get $m)))
  (i32.const @OK))

;; The @ST_PQ_TABLES value of a PQ6 table of M rows with $rows built.
(func $pq6_state (param $rows i32) (param $m i32) (result i32)
  (i32.or (i32.const @PQ_TABLES_PQ6)
    (i32.or (i32.shl (local.get $rows) (i32.const @PQ6_STATE_ROWS_SHIFT)) (i32.shl (local.get $m) (i32.const @PQ6_STATE_M_SHIFT)))))

;; M of this query's complete PQ6 table, or 0 when there is none (a PQ6 state has M >= 4).
(func $pq6_m (result i32)
  (local $m i32)
  (local.set $m (i32.shr_u (call $st_get (i32.const @ST_PQ_TABLES)) (i32.const @PQ6_STATE_M_SHIFT)))
  (select (local.get $m) (i32.const 0) (i32.eq (call $st_get (i32.const @ST_PQ_TABLES)) (call $pq6_state (local.get $m) (local.get $m)))))

;; rvf_pq6_distances(codes_ptr, count, result_ptr): count code vectors of 3M/4 bytes ->
;; count f32 asymmetric L2 distances, table[m][code m] summed in m order from +0, NaN folded
;; to the canonical NaN. Needs this query's complete table (@ERR_NO_PARAMS; a PQ6 state
;; always has M >= 4). Every 6-bit value is a valid code, so no code is refused. The
;; lookups are scalar in both builds: the sum order is fixed (m order) and wasm SIMD has no
;; gather, so lanes would only add extract/replace steps. The result must not overlap the
;; codes or the table.
(func $rvf_pq6_distances (export "rvf_pq_distances") (param $codes i32) (param $count i32) (param $out i32) (result i32)
  (local $m i32) (local $vbytes i32) (local $i i32) (local $g i32) (local $tab i32) (local $gend i32) (local $s f32)
  (if (i32.eqz (local.tee $m (call $pq6_m))) (then (return (i32.const @ERR_NO_PARAMS))))
  ;; count * 24 and count * 4 stay far below 2^31 for count <= MEMORY_BYTES.
  (if (i32.or (i32.eqz (local.get $count)) (i32.gt_u (local.get $count) (i32.const @MEMORY_BYTES)))
    (then (return (i32.const @ERR_BAD_COUNT))))
  (local.set $vbytes (i32.mul (i32.shr_u (local.get $m) (i32.const 2)) (i32.const @PQ6_GROUP_BYTES)))
  (if (i32.eqz (i32.and (call $range_ok (local.get $codes) (i32.mul (local.get $count) (local.get $vbytes)))
                        (call $range_ok (local.get $out) (i32.shl (local.get $count) (i32.const 2)))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (call $work (i32.const @WK_DISTANCES) (local.get $count))
  (call $work (i32.const @WK_PQ_CODES) (i32.mul (local.get $count) (local.get $m)))
  (loop $vector
    (local.set $s (f32.const 0))
    (local.set $tab (i32.const @PQ_TABLE_PTR))
    (local.set $gend (i32.add (local.get $codes) (local.get $vbytes)))
    (loop $group
      ;; The 24-bit group, then its four codes low bits first, one table row (256 B) each;
      ;; the table is 1 KB aligned, so a group's rows end where $tab's low ten bits are 0.
      (local.set $g (i32.or (i32.load16_u (local.get $codes)) (i32.shl (i32.load8_u offset=2 (local.get $codes)) (i32.const 16))))
      (loop $code
        (local.set $s (f32.add (local.get $s) (f32.load
          (i32.add (local.get $tab) (i32.shl (i32.and (local.get $g) (i32.const @PQ6_CODE_MASK)) (i32.const 2))))))
        (local.set $g (i32.shr_u (local.get $g) (i32.const @PQ6_CODE_BITS)))
        (br_if $code (i32.and (local.tee $tab (i32.add (local.get $tab) (i32.const @PQ6_ROW_BYTES))) (i32.const @PQ6_GROUP_ROW_MASK))))
      (br_if $group (i32.lt_u (local.tee $codes (i32.add (local.get $codes) (i32.const @PQ6_GROUP_BYTES))) (local.get $gend))))
    (if (f32.ne (local.get $s) (local.get $s)) (then (local.set $s (f32.reinterpret_i32 (i32.const @CANONICAL_NAN_BITS)))))
    (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
    (br_if $vector (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $count))))
  (i32.const @OK))
;; LOAD_PARAMS kind @LP_KIND_PQ6 (docs/protocol.md "LOAD_PARAMS"): a = M, b = the piece's
;; first subspace, the data whole subspaces of the codebook (64 x w fp16 each, w = dim / M,
;; so w <= 15 fits one message); each message is a piece on its own (offset and total are
;; the hub's record, not checked). rvf_load_pq_codebook checks the rest and builds the
;; rows. $n data bytes not a positive multiple of a subspace are @ERR_BAD_MSG_LENGTH; M 0
;; or above the dim @ERR_INVALID_PARAMS. The reply's value is the rows built so far.
(func $on_pq6_piece (param $n i32) (result i32)
  (local $m i32) (local $sub i32) (local $st i32)
  (local.set $m (i32.load16_u offset=@LP_A (i32.const @MSG_PAYLOAD_PTR)))
  ;; One subspace's centroids: 64 x (dim / M) fp16 = (dim / M) << 7 bytes.
  (local.set $sub (i32.shl (i32.div_u (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR))
    (select (local.get $m) (i32.const 1) (local.get $m))) (i32.const 7)))
  (if (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $sub))) (then (return (i32.const @ERR_INVALID_PARAMS))))
  (if (i32.or (i32.eqz (local.get $n)) (i32.rem_u (local.get $n) (local.get $sub))) (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
  (local.set $st (call $rvf_pq6_table (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LP_HEADER_BYTES)) (local.get $m)
    (i32.load16_u offset=@LP_B (i32.const @MSG_PAYLOAD_PTR)) (i32.div_u (local.get $n) (local.get $sub))))
  (global.set $reply_value (i32.and (i32.shr_u (call $st_get (i32.const @ST_PQ_TABLES)) (i32.const @PQ6_STATE_ROWS_SHIFT)) (i32.const @PQ6_STATE_ROWS_MASK)))
  (local.get $st))
