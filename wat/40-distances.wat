;; rvf_distances(metric, result_ptr) and the per-vector sums behind it.
;;
;; Every metric is "smaller is better" (docs/memory-map.md "Distances"):
;;   L2 = sum (q-v)^2, IP = -sum q*v, cosine = 1 - dot/(sqrt(qq)*sqrt(vv)) (1.0 when qq
;;   or vv is 0), hamming = popcount(q xor v). A NaN result is stored as @CANONICAL_NAN_BITS.
;;
;; A sum runs in one of four modes over the padded elements (the padding is zero):
;;   0: sum (q-v)*(q-v)   1: sum q*v   2: sum v*v   3: sum popcount(q xor v) (bytes)
;; Float order (fp16), the same in both builds: dims in groups of 8; lanes 0..3 of a
;; group go to accumulator lo, lanes 4..7 to hi (f32x4 each; the scalar build keeps the
;; eight lanes in a0..a7); then s = lo + hi lane-wise and total = (s0+s1) + (s2+s3).
;; Both builds walk the vector 4 (SIMD) or 1 (scalar) elements at a time and rotate the
;; accumulators (lo <-> hi, a0 <- a1 <- ... <- a7 <- a0 + term), which puts each term in
;; its lane's accumulator without duplicating the loop body. No FMA: mul, then add.

;; fp16 vector at $v against the f32 query at @IMG_QUERY_PTR.
(func $dist_fsum (param $v i32) (param $mode i32) (result f32)
  (local $q i32) (local $end i32) (local $m0 i32) (local $m2 i32)
;;#if simd
  (local $lo v128) (local $hi v128) (local $t v128) (local $x v128) (local $y v128) (local $d v128)
  (local $z i32) (local $k_abs v128) (local $k_scale v128) (local $k_big v128) (local $k_inf v128) (local $k_sign v128)
;;#else
  (local $a0 f32) (local $a1 f32) (local $a2 f32) (local $a3 f32)
  (local $a4 f32) (local $a5 f32) (local $a6 f32) (local $a7 f32)
  (local $x f32) (local $y f32) (local $d f32)
;;#endif
  (local.set $m0 (i32.eqz (local.get $mode)))
  (local.set $m2 (i32.eq (local.get $mode) (i32.const 2)))
  (local.set $q (i32.const @IMG_QUERY_PTR))
  (local.set $end (i32.add (i32.const @IMG_QUERY_PTR) (i32.shl (call $st_get (i32.const @ST_QUERY_PADDED)) (i32.const 2))))
;;#if simd
  ;; A whole group of 8 per iteration (padded lengths are multiples of 8): lanes 0..3 into
  ;; lo, 4..7 into hi, the same additions in the same order as rotating after each 4, with
  ;; half the loop overhead (and half the fuel checks in the -fuel build). The fp16 -> f32
  ;; conversion ($fp16_to_f32's steps, wat/20-fp16.wat, four lanes at a time) is written out
  ;; for each half: -Oz will not inline a function with two call sites, and a call per 4
  ;; dims halves the loop's speed.
  ;; The conversion's five lane constants, made once. $z is 0 ($mode is 0..3), but binaryen
  ;; cannot prove it, so it keeps them in locals instead of writing an 18 B v128.const at
  ;; each of the ten uses in the loop (140 B smaller; the loop reads registers either way).
  (local.set $z (i32.shr_u (local.get $mode) (i32.const 8)))
  (local.set $k_abs (i32x4.splat (i32.or (local.get $z) (i32.const 0x7fff))))
  (local.set $k_sign (i32x4.splat (i32.or (local.get $z) (i32.const 0x8000))))
  (local.set $k_inf (i32x4.splat (i32.or (local.get $z) (i32.const @F32_INF_BITS))))
  (local.set $k_scale (f32x4.splat (f32.reinterpret_i32 (i32.or (local.get $z) (i32.const 0x77800000))))) ;; 2^112
  (local.set $k_big (f32x4.splat (f32.reinterpret_i32 (i32.or (local.get $z) (i32.const 0x47800000))))) ;; 65536
  (loop $chunk
    (local.set $y (v128.load16x4_u (local.get $v)))
    (local.set $t
      (f32x4.mul (i32x4.shl (v128.and (local.get $y) (local.get $k_abs)) (i32.const 13)) (local.get $k_scale)))
    (local.set $y
      (v128.or
        (v128.or (local.get $t) (v128.and (f32x4.ge (local.get $t) (local.get $k_big)) (local.get $k_inf)))
        (i32x4.shl (v128.and (local.get $y) (local.get $k_sign)) (i32.const 16))))
    (local.set $x (v128.load (local.get $q)))
    (local.set $d (f32x4.sub (local.get $x) (local.get $y)))
    (local.set $lo
      (f32x4.add (local.get $lo)
        (f32x4.mul
          (select (local.get $d) (select (local.get $y) (local.get $x) (local.get $m2)) (local.get $m0))
          (select (local.get $d) (local.get $y) (local.get $m0)))))
    (local.set $y (v128.load16x4_u offset=8 (local.get $v)))
    (local.set $t
      (f32x4.mul (i32x4.shl (v128.and (local.get $y) (local.get $k_abs)) (i32.const 13)) (local.get $k_scale)))
    (local.set $y
      (v128.or
        (v128.or (local.get $t) (v128.and (f32x4.ge (local.get $t) (local.get $k_big)) (local.get $k_inf)))
        (i32x4.shl (v128.and (local.get $y) (local.get $k_sign)) (i32.const 16))))
    (local.set $x (v128.load offset=16 (local.get $q)))
    (local.set $d (f32x4.sub (local.get $x) (local.get $y)))
    (local.set $hi
      (f32x4.add (local.get $hi)
        (f32x4.mul
          (select (local.get $d) (select (local.get $y) (local.get $x) (local.get $m2)) (local.get $m0))
          (select (local.get $d) (local.get $y) (local.get $m0)))))
    (local.set $v (i32.add (local.get $v) (i32.const 16)))
    (br_if $chunk (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 32))) (local.get $end))))
  (local.set $t (f32x4.add (local.get $lo) (local.get $hi)))
  (f32.add
    (f32.add (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t)))
    (f32.add (f32x4.extract_lane 2 (local.get $t)) (f32x4.extract_lane 3 (local.get $t))))
;;#else
  (loop $elem
    (local.set $y (call $fp16_to_f32 (i32.load16_u (local.get $v))))
    (local.set $x (f32.load (local.get $q)))
    (local.set $d (f32.sub (local.get $x) (local.get $y)))
    (local.set $x
      (f32.add (local.get $a0)
        (f32.mul
          (select (local.get $d) (select (local.get $y) (local.get $x) (local.get $m2)) (local.get $m0))
          (select (local.get $d) (local.get $y) (local.get $m0)))))
    (local.set $a0 (local.get $a1)) (local.set $a1 (local.get $a2)) (local.set $a2 (local.get $a3))
    (local.set $a3 (local.get $a4)) (local.set $a4 (local.get $a5)) (local.set $a5 (local.get $a6))
    (local.set $a6 (local.get $a7)) (local.set $a7 (local.get $x))
    (local.set $v (i32.add (local.get $v) (i32.const 2)))
    (br_if $elem (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 4))) (local.get $end))))
  (f32.add
    (f32.add (f32.add (local.get $a0) (local.get $a4)) (f32.add (local.get $a1) (local.get $a5)))
    (f32.add (f32.add (local.get $a2) (local.get $a6)) (f32.add (local.get $a3) (local.get $a7))))
;;#endif
  )

;; i8 vector (modes 0..2) or binary code (mode 3) at $v against the query bytes at
;; @IMG_QUERY_PTR: exact integer sums (|q-v| <= 255, 768 dims: far inside i32).
(func $dist_isum (param $v i32) (param $mode i32) (result i32)
  (local $q i32) (local $end i32) (local $m0 i32) (local $m2 i32)
;;#if simd
  (local $acc v128) (local $x v128) (local $y v128) (local $d v128)
;;#else
  (local $acc i32) (local $x i32) (local $y i32) (local $d i32)
;;#endif
  (local.set $m0 (i32.eqz (local.get $mode)))
  (local.set $m2 (i32.eq (local.get $mode) (i32.const 2)))
  (local.set $q (i32.const @IMG_QUERY_PTR))
  (local.set $end (i32.add (i32.const @IMG_QUERY_PTR) (call $st_get (i32.const @ST_QUERY_PADDED))))
;;#if simd
  (loop $group
    (local.set $x (v128.load64_zero (local.get $q)))
    (local.set $y (v128.load64_zero (local.get $v)))
    (local.set $acc
      (i32x4.add (local.get $acc)
        (if (result v128) (i32.eq (local.get $mode) (i32.const 3))
          (then
            (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
              (i8x16.popcnt (v128.xor (local.get $x) (local.get $y))))))
          (else
            (local.set $x (i16x8.extend_low_i8x16_s (local.get $x)))
            (local.set $y (i16x8.extend_low_i8x16_s (local.get $y)))
            (local.set $d (i16x8.sub (local.get $x) (local.get $y)))
            (i32x4.dot_i16x8_s
              (select (local.get $d) (select (local.get $y) (local.get $x) (local.get $m2)) (local.get $m0))
              (select (local.get $d) (local.get $y) (local.get $m0)))))))
    (local.set $v (i32.add (local.get $v) (i32.const 8)))
    (br_if $group (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 8))) (local.get $end))))
  (i32.add
    (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
    (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))
;;#else
  (loop $byte
    (local.set $x (i32.load8_s (local.get $q)))
    (local.set $y (i32.load8_s (local.get $v)))
    (local.set $d (i32.sub (local.get $x) (local.get $y)))
    (local.set $acc
      (i32.add (local.get $acc)
        (if (result i32) (i32.eq (local.get $mode) (i32.const 3))
          (then (i32.popcnt (i32.and (i32.xor (local.get $x) (local.get $y)) (i32.const 255))))
          (else
            (i32.mul
              (select (local.get $d) (select (local.get $y) (local.get $x) (local.get $m2)) (local.get $m0))
              (select (local.get $d) (local.get $y) (local.get $m0)))))))
    (local.set $v (i32.add (local.get $v) (i32.const 1)))
    (br_if $byte (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $end))))
  (local.get $acc)
;;#endif
  )

;; One sum for the loaded query's dtype, as f32 (integer sums converted exactly as
;; f32.convert_i32_s rounds).
(func $dist_sum (param $v i32) (param $mode i32) (result f32)
  (if (result f32) (i32.eq (call $st_get (i32.const @ST_QUERY_DTYPE)) (i32.const @DTYPE_FP16))
    (then (call $dist_fsum (local.get $v) (local.get $mode)))
    (else (f32.convert_i32_s (call $dist_isum (local.get $v) (local.get $mode))))))

;; rvf_distances(metric, result_ptr): one f32 distance per block vector, in block order.
(func $rvf_distances (export "rvf_distances") (param $metric i32) (param $result_ptr i32) (result i32)
  (local $dtype i32) (local $count i32) (local $v i32) (local $stride i32) (local $out i32) (local $end i32)
  (local $d f32) (local $vv f32) (local $qn f32)
  (if (i32.eqz (call $st_get (i32.const @ST_QUERY_DIM))) (then (return (i32.const @ERR_NO_QUERY))))
  (local.set $count (call $st_get (i32.const @ST_BLOCK_COUNT)))
  (if (i32.eqz (local.get $count)) (then (return (i32.const @ERR_NO_BLOCK))))
  (local.set $dtype (call $st_get (i32.const @ST_QUERY_DTYPE)))
  (if (i32.ne (local.get $dtype) (call $st_get (i32.const @ST_BLOCK_DTYPE)))
    (then (return (i32.const @ERR_BAD_DTYPE))))
  (local.set $stride (call $st_get (i32.const @ST_BLOCK_STRIDE)))
  (if (i32.ne (local.get $stride)
        (i32.shl (call $st_get (i32.const @ST_QUERY_PADDED)) (i32.eq (local.get $dtype) (i32.const @DTYPE_FP16))))
    (then (return (i32.const @ERR_BAD_DIM))))
  ;; The metric must suit the dtype ($metric_bad, wat/30-query.wat).
  (if (call $metric_bad (local.get $dtype) (local.get $metric))
    (then (return (i32.const @ERR_BAD_METRIC))))
  (if (i32.eqz (call $range_ok (local.get $result_ptr) (i32.shl (local.get $count) (i32.const 2))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (call $work (i32.const @WK_DISTANCES) (local.get $count))
  (call $work (i32.const @WK_DIST_ELEMS) (i32.mul (local.get $count) (call $st_get (i32.const @ST_QUERY_PADDED))))
  (local.set $v (call $st_get (i32.const @ST_BLOCK_PTR)))
  (local.set $qn (f32.load offset=@ST_QUERY_NORM (i32.const @STATE_PTR)))
  (local.set $out (local.get $result_ptr))
  (local.set $end (i32.add (local.get $result_ptr) (i32.shl (local.get $count) (i32.const 2))))
  (loop $vector
    (if (i32.eq (local.get $metric) (i32.const @METRIC_COSINE))
      (then
        (local.set $d (call $dist_sum (local.get $v) (i32.const 1)))
        (local.set $vv (call $dist_sum (local.get $v) (i32.const 2)))
        (local.set $d
          (select (f32.const 1)
            (f32.sub (f32.const 1) (f32.div (local.get $d) (f32.mul (local.get $qn) (f32.sqrt (local.get $vv)))))
            (i32.or (f32.eq (local.get $qn) (f32.const 0)) (f32.eq (local.get $vv) (f32.const 0))))))
      (else
        (local.set $d (call $dist_sum (local.get $v) (local.get $metric)))
        (if (i32.eq (local.get $metric) (i32.const @METRIC_IP)) (then (local.set $d (f32.neg (local.get $d)))))))
    (if (f32.ne (local.get $d) (local.get $d))
      (then (local.set $d (f32.reinterpret_i32 (i32.const @CANONICAL_NAN_BITS)))))
    (f32.store (local.get $out) (local.get $d))
    (local.set $v (i32.add (local.get $v) (local.get $stride)))
    (br_if $vector (i32.lt_u (local.tee $out (i32.add (local.get $out) (i32.const 4))) (local.get $end))))
  (i32.const @OK))
