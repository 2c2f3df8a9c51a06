;; The tile's top-K: up to @TOPK_MAX entries of @RESULT_ENTRY_BYTES at @RESULT_PTR,
;; {u64 id, f32 dist, u32 aux}, sorted ascending by (key(dist), id) where
;; key(bits) = bits ^ ((bits >>s 31) | sign bit), compared unsigned: the IEEE total order,
;; so -0 < +0 and the canonical NaN sorts after +inf; equal distances go to the lower id.

(func $topk_key (param $bits i32) (result i32)
  (i32.xor (local.get $bits) (i32.or (i32.shr_s (local.get $bits) (i32.const 31)) (i32.const @F32_SIGN_BITS))))

;; 1 when the entry at $e sorts before the candidate (key, id).
(func $topk_entry_before (param $e i32) (param $key i32) (param $id i64) (result i32)
  (local $ek i32)
  (local.set $ek (call $topk_key (i32.load offset=@RESULT_DIST (local.get $e))))
  (i32.or (i32.lt_u (local.get $ek) (local.get $key))
    (i32.and (i32.eq (local.get $ek) (local.get $key)) (i64.lt_u (i64.load (local.get $e)) (local.get $id)))))

;; rvf_topk_merge(dist_ptr, id_ptr, count, k): merge count candidates (f32 distances,
;; u64 ids) into the buffer, keeping the best k. A candidate whose id is already in the
;; buffer is skipped, so merging the same block twice changes nothing. A NaN distance is
;; taken as @CANONICAL_NAN_BITS. count 0 is valid and changes nothing (not even k).
(func $rvf_topk_merge (export "rvf_topk_merge") (param $dist_ptr i32) (param $id_ptr i32) (param $count i32) (param $k i32) (result i32)
  (local $len i32) (local $i i32) (local $j i32) (local $p i32) (local $e i32)
  (local $bits i32) (local $key i32) (local $dup i32) (local $id i64)
  (if (i32.ge_u (i32.sub (local.get $k) (i32.const 1)) (i32.const @TOPK_MAX)) (then (return (i32.const @ERR_BAD_K))))
  (if (i32.gt_u (local.get $count) (i32.const @MAX_BLOCK_VECTORS)) (then (return (i32.const @ERR_BAD_COUNT))))
  (if (i32.eqz (i32.and
        (call $range_ok (local.get $dist_ptr) (i32.shl (local.get $count) (i32.const 2)))
        (call $range_ok (local.get $id_ptr) (i32.shl (local.get $count) (i32.const 3)))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (call $work (i32.const @WK_MERGED) (local.get $count))
  (if (i32.eqz (local.get $count)) (then (return (i32.const @OK))))
  ;; A smaller k than before truncates the buffer.
  (local.set $len (call $st_get (i32.const @ST_TOPK_LEN)))
  (if (i32.gt_u (local.get $len) (local.get $k)) (then (local.set $len (local.get $k))))
  (loop $candidate
    (local.set $bits (i32.load (i32.add (local.get $dist_ptr) (i32.shl (local.get $i) (i32.const 2)))))
    (if (f32.ne (f32.reinterpret_i32 (local.get $bits)) (f32.reinterpret_i32 (local.get $bits)))
      (then (local.set $bits (i32.const @CANONICAL_NAN_BITS))))
    (local.set $key (call $topk_key (local.get $bits)))
    (local.set $id (i64.load (i32.add (local.get $id_ptr) (i32.shl (local.get $i) (i32.const 3)))))
    ;; p = entries that sort before the candidate (the buffer is sorted), dup = id seen.
    (local.set $p (i32.const 0))
    (local.set $dup (i32.const 0))
    (local.set $j (i32.const 0))
    (block $scanned
      (loop $entry
        (br_if $scanned (i32.ge_u (local.get $j) (local.get $len)))
        (local.set $e (i32.add (i32.const @RESULT_PTR) (i32.shl (local.get $j) (i32.const 4))))
        (local.set $dup (i32.or (local.get $dup) (i64.eq (i64.load (local.get $e)) (local.get $id))))
        (local.set $p (i32.add (local.get $p) (call $topk_entry_before (local.get $e) (local.get $key) (local.get $id))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $entry)))
    (if (i32.and (i32.eqz (local.get $dup)) (i32.lt_u (local.get $p) (local.get $k)))
      (then
        (if (i32.lt_u (local.get $len) (local.get $k)) (then (local.set $len (i32.add (local.get $len) (i32.const 1)))))
        (local.set $e (i32.add (i32.const @RESULT_PTR) (i32.shl (local.get $p) (i32.const 4))))
        ;; Shift entries p..len-2 down one (the last one falls off when the buffer was full).
        (memory.copy (i32.add (local.get $e) (i32.const @RESULT_ENTRY_BYTES)) (local.get $e)
          (i32.shl (i32.sub (i32.sub (local.get $len) (i32.const 1)) (local.get $p)) (i32.const 4)))
        (i64.store (local.get $e) (local.get $id))
        (i32.store offset=@RESULT_DIST (local.get $e) (local.get $bits))
        (i32.store offset=@RESULT_AUX (local.get $e) (i32.const 0))))
    (br_if $candidate (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $count))))
  (call $st_set (i32.const @ST_TOPK_LEN) (local.get $len))
  (call $st_set (i32.const @ST_TOPK_K) (local.get $k))
  (i32.const @OK))

;; rvf_topk_read(out_ptr): copy the @ST_TOPK_LEN valid entries to out_ptr (checked for
;; the full 256 B buffer); the host reads the count from @ST_TOPK_LEN.
(func $rvf_topk_read (export "rvf_topk_read") (param $out_ptr i32) (result i32)
  (local $bytes i32)
  (if (i32.eqz (call $range_ok (local.get $out_ptr) (i32.const @RESULT_BYTES))) (then (return (i32.const @ERR_BAD_POINTER))))
  (local.set $bytes (i32.shl (call $st_get (i32.const @ST_TOPK_LEN)) (i32.const 4)))
  (memory.copy (local.get $out_ptr) (i32.const @RESULT_PTR) (local.get $bytes))
  (call $work (i32.const @WK_IO_BYTES) (local.get $bytes))
  (i32.const @OK))

;; For the dispatch loop: implicit ids first_id + i for the loaded block into @IDS_PTR,
;; unless the dispatcher put explicit ids there (@ST_BLOCK_EXPLICIT_IDS = 1).
(func $block_ids_fill
  (local $i i32) (local $n i32)
  (if (call $st_get (i32.const @ST_BLOCK_EXPLICIT_IDS)) (then (return)))
  (local.set $n (call $st_get (i32.const @ST_BLOCK_COUNT)))
  (block $done
    (loop $id
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i64.store (i32.add (i32.const @IDS_PTR) (i32.shl (local.get $i) (i32.const 3)))
        (i64.add (i64.load offset=@ST_BLOCK_FIRST_ID (i32.const @STATE_PTR)) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $id))))

;; For the dispatch loop: distances of the loaded block into @DIST_PTR, ids into
;; @IDS_PTR, then merge with k. k is checked first so a bad k writes nothing.
(func $compute_and_merge (param $metric i32) (param $k i32) (result i32)
  (local $s i32)
  (if (i32.ge_u (i32.sub (local.get $k) (i32.const 1)) (i32.const @TOPK_MAX)) (then (return (i32.const @ERR_BAD_K))))
;;#if hot
  ;; A PQ6 block (wat/hot/30-pq6.wat): asymmetric L2 from the query's table; L2 only.
  (if (local.tee $s
        (if (result i32) (i32.eq (call $st_get (i32.const @ST_BLOCK_DTYPE)) (i32.const @DTYPE_PQ6))
          (then
            (if (result i32) (local.get $metric)
              (then (i32.const @ERR_BAD_METRIC))
              (else (call $rvf_pq6_distances (call $st_get (i32.const @ST_BLOCK_PTR)) (call $st_get (i32.const @ST_BLOCK_COUNT)) (i32.const @DIST_PTR)))))
          (else (call $rvf_distances (local.get $metric) (i32.const @DIST_PTR)))))
    (then (return (local.get $s))))
;;#else
  (if (local.tee $s (call $rvf_distances (local.get $metric) (i32.const @DIST_PTR))) (then (return (local.get $s))))
;;#endif
  (call $block_ids_fill)
  (call $rvf_topk_merge (i32.const @DIST_PTR) (i32.const @IDS_PTR) (call $st_get (i32.const @ST_BLOCK_COUNT)) (local.get $k)))
