;; fp16 -> f32 with integer bit operations (the "magic multiply"), exact for every input:
;;   o = f32 bits of (h & 0x7fff) << 13, times 2^112 (f32 bits 0x77800000)
;;   if o >= 65536.0 (the input exponent was 31: inf or NaN) OR in the f32 exponent bits
;;   OR in the sign, (h & 0x8000) << 16.
;; The product is exact (a power-of-two scale of a value that fits in f32), so normals,
;; subnormals (the shifted pattern is an f32 subnormal), inf and NaN (payload kept) come
;; out the same in the scalar and the SIMD helper, and no float op ever sees a NaN input.

;; One fp16 value (low 16 bits of $h) to f32.
(func $fp16_to_f32 (param $h i32) (result f32)
  (local $o f32)
  (local.set $o
    (f32.mul
      (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
      (f32.const 0x1p112)))
  (f32.reinterpret_i32
    (i32.or
      (i32.or
        (i32.reinterpret_f32 (local.get $o))
        (select (i32.const @F32_INF_BITS) (i32.const 0) (f32.ge (local.get $o) (f32.const 65536))))
      (i32.shl (i32.and (local.get $h) (i32.const 0x8000)) (i32.const 16)))))

;; The SIMD form of the same steps (four lanes at a time) is written out where it is used,
;; in the distance loop (wat/40-distances.wat), so the hot loop makes no call.
