;; Scalar quantization (docs/format.md): per-dimension f32 (min, scale); an i8 code c
;; decodes to x = min + scale * (c + 128) in f32 (mul then add, no FMA), so codes
;; -128..127 span [min, min + 255 * scale]; x is then rounded to fp16.

;; rvf_load_sq_params(params_ptr, dim): dim pairs of f32 (min, scale), dim 1..@MAX_DIM_FP16
;; (the output is fp16). The pairs are kept at @SQ_PTR (memory.copy is a memmove, so
;; params_ptr == @SQ_PTR costs nothing and overlap is safe) and de-interleaved into
;; @SQ_MIN_PTR / @SQ_SCALE_PTR with every dim past `dim` zeroed, so padding lanes decode
;; to +0 with no special case.
(func $rvf_load_sq_params (export "rvf_load_sq_params") (param $p i32) (param $dim i32) (result i32)
  (local $j i32) (local $ok i32)
  (if (i32.or (i32.eqz (local.get $dim)) (i32.gt_u (local.get $dim) (i32.const @MAX_DIM_FP16)))
    (then (return (i32.const @ERR_BAD_DIM))))
  (if (i32.eqz (call $range_ok (local.get $p) (i32.shl (local.get $dim) (i32.const 3))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (memory.copy (i32.const @SQ_PTR) (local.get $p) (i32.shl (local.get $dim) (i32.const 3)))
  (call $work (i32.const @WK_IO_BYTES) (i32.shl (local.get $dim) (i32.const 3)))
  (loop $dims
    (local.set $ok (i32.lt_u (local.get $j) (local.get $dim)))
    (local.set $p (i32.add (i32.shl (local.get $j) (i32.const 3)) (i32.const @SQ_PTR)))
    (i32.store (i32.add (i32.shl (local.get $j) (i32.const 2)) (i32.const @SQ_MIN_PTR))
      (select (i32.load (local.get $p)) (i32.const 0) (local.get $ok)))
    (i32.store (i32.add (i32.shl (local.get $j) (i32.const 2)) (i32.const @SQ_SCALE_PTR))
      (select (i32.load offset=4 (local.get $p)) (i32.const 0) (local.get $ok)))
    (br_if $dims (i32.ne (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const @MAX_DIM_FP16))))
  (call $st_set (i32.const @ST_SQ_DIM) (local.get $dim))
  (i32.const @OK))

;;#if scalar
;; f32 bits -> fp16 bits with integer operations only, round to nearest even:
;; v is the value in units of the result's last place shifted left by s bits
;; (normal: rebias, s = 13; subnormal: mantissa with its implicit bit, s = 126 - exponent,
;; capped at 31 where everything rounds to 0); adding half-1 plus the kept lsb and
;; shifting rounds ties to even and carries into the exponent. >= 65520 -> inf;
;; NaN -> canonical 0x7E00 (payload and sign dropped, so builds agree).
(func $sq_f16 (param $x i32) (result i32)
  (local $a i32) (local $v i32) (local $s i32)
  (local.set $a (i32.and (local.get $x) (i32.const 0x7FFFFFFF)))
  (local.set $v (i32.sub (local.get $a) (i32.const 0x38000000)))
  (local.set $s (i32.const 13))
  (if (i32.lt_u (local.get $a) (i32.const 0x38800000))
    (then
      (local.set $v (i32.or (i32.and (local.get $a) (i32.const 0x7FFFFF)) (i32.const 0x800000)))
      (local.set $s (i32.sub (i32.const 126) (i32.shr_u (local.get $a) (i32.const 23))))
      (local.set $s (select (local.get $s) (i32.const 31) (i32.lt_u (local.get $s) (i32.const 31))))))
  (select (i32.const 0x7E00)
    (i32.or
      (select (i32.const 0x7C00)
        (i32.shr_u
          (i32.add
            (i32.add (local.get $v) (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $s) (i32.const 1))) (i32.const 1)))
            (i32.and (i32.shr_u (local.get $v) (local.get $s)) (i32.const 1)))
          (local.get $s))
        (i32.ge_u (local.get $a) (i32.const 0x477FF000)))
      (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 0x8000)))
    (i32.gt_u (local.get $a) (i32.const 0x7F800000))))
;;#endif

;; rvf_dequant_i8(src_ptr, dst_ptr, count): count vectors of i8 codes (stride = dims of
;; the loaded SQ params padded to a multiple of 8) -> fp16 vectors (stride padded * 2).
;; Elements are processed forward, each group read before it is written, so dst may sit
;; below src as long as dst + codes <= src (the dispatcher's in-place layout: codes at
;; @BLOCK_PTR + 16 KB expand into @BLOCK_PTR), or anywhere not overlapping; any other
;; overlap would read codes already overwritten and is refused (@ERR_INVALID_OUTPUT).
(func $rvf_dequant_i8 (export "rvf_dequant_i8") (param $src i32) (param $dst i32) (param $count i32) (result i32)
  (local $padded i32) (local $total i32) (local $e i32) (local $j i32)
;;#if simd
  (local $x v128) (local $a v128) (local $h v128) (local $z i32)
  (local $k_128 v128) (local $k_abs v128) (local $k_half v128) (local $k_rebias v128) (local $k_min_normal v128)
  (local $k_f16_inf v128) (local $k_f16_max v128) (local $k_f16_nan v128) (local $k_f32_inf v128)
;;#endif
  (local.set $padded (i32.and (i32.add (call $st_get (i32.const @ST_SQ_DIM)) (i32.const 7)) (i32.const -8)))
  (if (i32.eqz (local.get $padded)) (then (return (i32.const @ERR_NO_PARAMS))))
  (if (i32.or (i32.eqz (local.get $count)) (i32.gt_u (local.get $count) (i32.const @MAX_BLOCK_VECTORS)))
    (then (return (i32.const @ERR_BAD_COUNT))))
  (local.set $total (i32.mul (local.get $count) (local.get $padded)))
  (if (i32.eqz (i32.and (call $range_ok (local.get $src) (local.get $total))
                        (call $range_ok (local.get $dst) (i32.shl (local.get $total) (i32.const 1)))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (if (i32.and (i32.lt_u (local.get $src) (i32.add (local.get $dst) (local.get $total)))
               (i32.lt_u (local.get $dst) (i32.add (local.get $src) (local.get $total))))
    (then (return (i32.const @ERR_INVALID_OUTPUT))))
  (call $work (i32.const @WK_DEQUANT) (local.get $total))
;;#if simd
  ;; The conversion's lane constants, made once. $z is 0 ($count <= 128), but binaryen cannot
  ;; prove it, so the loop reads locals instead of an 18 B v128.const at every use.
  (local.set $z (i32.shr_u (local.get $count) (i32.const 8)))
  (local.set $k_128 (i32x4.splat (i32.or (local.get $z) (i32.const 128))))
  (local.set $k_abs (i32x4.splat (i32.or (local.get $z) (i32.const 0x7FFFFFFF))))
  (local.set $k_half (i32x4.splat (i32.or (local.get $z) (i32.const 0x3F000000)))) ;; f32 0.5
  (local.set $k_rebias (i32x4.splat (i32.or (local.get $z) (i32.const 0xC8000FFF))))
  (local.set $k_min_normal (i32x4.splat (i32.or (local.get $z) (i32.const 0x38800000)))) ;; f32 2^-14
  (local.set $k_f16_inf (i32x4.splat (i32.or (local.get $z) (i32.const 0x7C00))))
  (local.set $k_f16_max (i32x4.splat (i32.or (local.get $z) (i32.const 0x477FF000)))) ;; f32 65520
  (local.set $k_f16_nan (i32x4.splat (i32.or (local.get $z) (i32.const 0x7E00))))
  (local.set $k_f32_inf (i32x4.splat (i32.or (local.get $z) (i32.const @F32_INF_BITS))))
;;#endif
  (loop $group
;;#if simd
    ;; Four codes per step: x = min + scale * (c + 128) in f32, then f32 -> fp16 bits in
    ;; all four lanes at once. Normal lanes: integer rebias and round-to-nearest-even at bit
    ;; 13. Subnormal lanes: |x| + 0.5 in f32 is exact IEEE round-to-nearest-even at 2^-24,
    ;; the fp16 subnormal unit, so its bits minus those of 0.5 are the integer the scalar
    ;; build's variable shift computes (WASM SIMD has no per-lane shift). >= 65520 -> inf;
    ;; NaN -> canonical 0x7E00. Bit 13 and the sign are taken by shift pairs (no constant).
    (local.set $x
      (f32x4.add (v128.load (i32.add (i32.shl (local.get $j) (i32.const 2)) (i32.const @SQ_MIN_PTR)))
        (f32x4.mul (v128.load (i32.add (i32.shl (local.get $j) (i32.const 2)) (i32.const @SQ_SCALE_PTR)))
          (f32x4.convert_i32x4_s
            (i32x4.add (i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (v128.load32_zero (i32.add (local.get $src) (local.get $e)))))
              (local.get $k_128))))))
    (local.set $a (v128.and (local.get $x) (local.get $k_abs)))
    (local.set $h
      (v128.bitselect
        (i32x4.sub (f32x4.add (local.get $a) (local.get $k_half)) (local.get $k_half))
        (i32x4.shr_u
          (i32x4.add (i32x4.add (local.get $a) (local.get $k_rebias))
            (i32x4.shr_u (i32x4.shl (local.get $a) (i32.const 18)) (i32.const 31))) ;; bit 13
          (i32.const 13))
        (i32x4.lt_u (local.get $a) (local.get $k_min_normal))))
    (local.set $h
      (v128.bitselect (local.get $k_f16_inf) (local.get $h)
        (i32x4.ge_u (local.get $a) (local.get $k_f16_max))))
    (local.set $h
      (v128.bitselect (local.get $k_f16_nan)
        (v128.or (local.get $h) (i32x4.shl (i32x4.shr_u (local.get $x) (i32.const 31)) (i32.const 15))) ;; the sign
        (i32x4.gt_u (local.get $a) (local.get $k_f32_inf))))
    (v128.store64_lane 0 (i32.add (local.get $dst) (i32.shl (local.get $e) (i32.const 1)))
      (i16x8.narrow_i32x4_u (local.get $h) (local.get $h)))
    (local.set $e (i32.add (local.get $e) (i32.const 4)))
    (local.set $j (i32.add (local.get $j) (i32.const 4)))
;;#else
    (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $e) (i32.const 1)))
      (call $sq_f16 (i32.reinterpret_f32
        (f32.add (f32.load (i32.add (i32.shl (local.get $j) (i32.const 2)) (i32.const @SQ_MIN_PTR)))
          (f32.mul (f32.load (i32.add (i32.shl (local.get $j) (i32.const 2)) (i32.const @SQ_SCALE_PTR)))
            (f32.convert_i32_s (i32.add (i32.load8_s (i32.add (local.get $src) (local.get $e))) (i32.const 128))))))))
    (local.set $e (i32.add (local.get $e) (i32.const 1)))
    (local.set $j (i32.add (local.get $j) (i32.const 1)))
;;#endif
    (local.set $j (select (i32.const 0) (local.get $j) (i32.eq (local.get $j) (local.get $padded))))
    (br_if $group (i32.lt_u (local.get $e) (local.get $total))))
  (i32.const @OK))
