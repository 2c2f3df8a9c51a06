;; Product quantization (docs/format.md): the config dim is split into M subspaces of
;; width w = dim / M; each has K centroids stored as w fp16 values, subspace-major:
;; centroid c of subspace m at @PQ_CODEBOOK_PTR + ((m*K + c) * w) * 2.

;;#if core
;; Core's 8-bit PQ (one code a byte). The Hot image has the same two export names for PQ
;; with 6-bit codes instead (wat/hot/30-pq6.wat; docs/size-budget.md "Two images").
;; rvf_load_pq_codebook(codebook_ptr, M, K): 1 <= K <= 256 (codes are bytes), M divides
;; the config dim; K*dim*2 B must fit @PQ_CODEBOOK_BYTES and the M x K f32 table
;; @PQ_TABLE_BYTES (else @ERR_OUT_OF_MEMORY). The table is marked stale.
(func $rvf_load_pq_codebook (export "rvf_load_pq_codebook") (param $p i32) (param $m i32) (param $k i32) (result i32)
  (local $dim i32) (local $bytes i32)
  (local.set $dim (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR)))
  (if (i32.eqz (local.get $dim)) (then (return (i32.const @ERR_BAD_DIM))))
  (if (i32.or (i32.or (i32.eqz (local.get $m)) (i32.gt_u (local.get $m) (local.get $dim)))
              (i32.gt_u (i32.sub (local.get $k) (i32.const 1)) (i32.const 255)))
    (then (return (i32.const @ERR_INVALID_PARAMS))))
  (if (i32.rem_u (local.get $dim) (local.get $m)) (then (return (i32.const @ERR_INVALID_PARAMS))))
  (local.set $bytes (i32.shl (i32.mul (local.get $k) (local.get $dim)) (i32.const 1)))
  (if (i32.or (i32.gt_u (local.get $bytes) (i32.const @PQ_CODEBOOK_BYTES))
              (i32.gt_u (i32.shl (i32.mul (local.get $m) (local.get $k)) (i32.const 2)) (i32.const @PQ_TABLE_BYTES)))
    (then (return (i32.const @ERR_OUT_OF_MEMORY))))
  (if (i32.eqz (call $range_ok (local.get $p) (local.get $bytes))) (then (return (i32.const @ERR_BAD_POINTER))))
  (memory.copy (i32.const @PQ_CODEBOOK_PTR) (local.get $p) (local.get $bytes))
  (call $work (i32.const @WK_IO_BYTES) (local.get $bytes))
  (call $st_set (i32.const @ST_PQ_M) (local.get $m))
  (call $st_set (i32.const @ST_PQ_K) (local.get $k))
  (call $st_set (i32.const @ST_PQ_TABLES) (i32.const 0))
  (i32.const @OK))

;;#endif

;; The M x K table at @PQ_TABLE_PTR: entry m*K + c = sum over the subspace of
;; (q - centroid)^2, q the f32 query at @IMG_QUERY_PTR. Order (both builds run this same
;; code): when w is a multiple of 8, element i goes to accumulator i & 7 and the total is
;; ((a0+a4) + (a1+a5)) + ((a2+a6) + (a3+a7)), the kernel's lane order; otherwise every
;; element goes to a0 in sequence and the same combine adds +0s, which leaves a0 exact.
;; The eight accumulators live at @TEMP_PTR.
;;#if hot
;; The Hot image builds entries $t .. $n-1 from centroids at $cb (entry $t's first), so PQ
;; with 6-bit codes (wat/hot/30-pq6.wat) fills its table piece by piece with these sums.
(func $pq_table_build (param $cb i32) (param $t i32) (param $n i32) (param $k i32) (param $w i32)
  (local $q i32) (local $i i32) (local $mask i32) (local $a i32) (local $d f32)
  (local.set $mask (select (i32.const 7) (i32.const 0) (i32.eqz (i32.and (local.get $w) (i32.const 7)))))
;;#else
(func $pq_table_build (param $m i32) (param $k i32) (param $w i32)
  (local $t i32) (local $n i32) (local $cb i32) (local $q i32) (local $i i32) (local $mask i32) (local $a i32) (local $d f32)
  (local.set $mask (select (i32.const 7) (i32.const 0) (i32.eqz (i32.and (local.get $w) (i32.const 7)))))
  (local.set $n (i32.mul (local.get $m) (local.get $k)))
  (local.set $cb (i32.const @PQ_CODEBOOK_PTR))
;;#endif
  (loop $entry
    (local.set $q (i32.add (i32.const @IMG_QUERY_PTR)
      (i32.shl (i32.mul (local.get $w) (i32.div_u (local.get $t) (local.get $k))) (i32.const 2))))
    (memory.fill (i32.const @TEMP_PTR) (i32.const 0) (i32.const 32))
    (local.set $i (i32.const 0))
    (loop $elem
      (local.set $d (f32.sub (f32.load (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 2))))
        (call $fp16_to_f32 (i32.load16_u (i32.add (local.get $cb) (i32.shl (local.get $i) (i32.const 1)))))))
      (local.set $a (i32.add (i32.const @TEMP_PTR) (i32.shl (i32.and (local.get $i) (local.get $mask)) (i32.const 2))))
      (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.mul (local.get $d) (local.get $d))))
      (br_if $elem (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $w))))
    (local.set $cb (i32.add (local.get $cb) (i32.shl (local.get $w) (i32.const 1))))
    (local.set $a (i32.const @TEMP_PTR))
    (f32.store (i32.add (i32.const @PQ_TABLE_PTR) (i32.shl (local.get $t) (i32.const 2)))
      (f32.add
        (f32.add (f32.add (f32.load (local.get $a)) (f32.load offset=16 (local.get $a)))
                 (f32.add (f32.load offset=4 (local.get $a)) (f32.load offset=20 (local.get $a))))
        (f32.add (f32.add (f32.load offset=8 (local.get $a)) (f32.load offset=24 (local.get $a)))
                 (f32.add (f32.load offset=12 (local.get $a)) (f32.load offset=28 (local.get $a))))))
    (br_if $entry (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $n)))))

;;#if core
;; rvf_pq_distances(codes_ptr, count, result_ptr): count code vectors of M bytes (code
;; m < K) -> count f32 asymmetric distances, sum of table[m][code m] in m order from +0.
;; The table is rebuilt on every call (at most K*dim <= 5,632 element steps, bounded by
;; the codebook region), so it can never be stale after a new query or codebook; the
;; query loader needs no PQ hook. @ST_PQ_TABLES = 1 says the table matches the query of
;; the last call. Every code is checked before anything is written. The result must not
;; overlap the codes, the query, the codebook or the table.
(func $rvf_pq_distances (export "rvf_pq_distances") (param $codes i32) (param $count i32) (param $out i32) (result i32)
  (local $m i32) (local $k i32) (local $n i32) (local $i i32) (local $j i32) (local $s f32)
  (local.set $m (call $st_get (i32.const @ST_PQ_M)))
  (local.set $k (call $st_get (i32.const @ST_PQ_K)))
  (if (i32.eqz (local.get $m)) (then (return (i32.const @ERR_NO_PARAMS))))
  (if (i32.eqz (call $st_get (i32.const @ST_QUERY_DIM))) (then (return (i32.const @ERR_NO_QUERY))))
  (if (i32.ne (call $st_get (i32.const @ST_QUERY_DTYPE)) (i32.const @DTYPE_FP16)) (then (return (i32.const @ERR_BAD_DTYPE))))
  (if (i32.ne (call $st_get (i32.const @ST_QUERY_DIM)) (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR)))
    (then (return (i32.const @ERR_BAD_DIM))))
  ;; count*M and count*4 stay far below 2^31 for count <= MEMORY_BYTES (M <= 2,048)
  (if (i32.or (i32.eqz (local.get $count)) (i32.gt_u (local.get $count) (i32.const @MEMORY_BYTES)))
    (then (return (i32.const @ERR_BAD_COUNT))))
  (local.set $n (i32.mul (local.get $count) (local.get $m)))
  (if (i32.eqz (i32.and (call $range_ok (local.get $codes) (local.get $n))
                        (call $range_ok (local.get $out) (i32.shl (local.get $count) (i32.const 2)))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (loop $check
    (if (i32.ge_u (i32.load8_u (i32.add (local.get $codes) (local.get $i))) (local.get $k))
      (then (return (i32.const @ERR_INVALID_INPUT))))
    (br_if $check (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
  ;; Work: the table's K x dim element steps, then M code lookups per distance.
  (call $work (i32.const @WK_DIST_ELEMS) (i32.mul (local.get $k) (call $st_get (i32.const @ST_QUERY_DIM))))
  (call $work (i32.const @WK_DISTANCES) (local.get $count))
  (call $work (i32.const @WK_PQ_CODES) (local.get $n))
  (call $pq_table_build (local.get $m) (local.get $k)
    (i32.div_u (call $st_get (i32.const @ST_QUERY_DIM)) (local.get $m)))
  (call $st_set (i32.const @ST_PQ_TABLES) (i32.const 1))
  (local.set $i (i32.const 0))
  (loop $vector
    (local.set $s (f32.const 0))
    (local.set $j (i32.const 0))
    (loop $sub
      (local.set $s (f32.add (local.get $s)
        (f32.load (i32.add (i32.const @PQ_TABLE_PTR)
          (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (i32.load8_u (local.get $codes))) (i32.const 2))))))
      (local.set $codes (i32.add (local.get $codes) (i32.const 1)))
      (br_if $sub (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $m))))
    (if (f32.ne (local.get $s) (local.get $s)) (then (local.set $s (f32.reinterpret_i32 (i32.const @CANONICAL_NAN_BITS)))))
    (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
    (br_if $vector (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $count))))
  (i32.const @OK))
;;#endif
