;; rvf_load_query and the vector-layout helpers rvf_load_block shares.
;;
;; Layout (docs/memory-map.md "Padding and stride"): a vector of dim elements is stored
;; zero-padded to a multiple of @LANE_ELEMS elements (fp16: 2 B each, i8: 1 B each);
;; a packed binary code of dim bits takes ceil(dim/8) bytes, zero-padded to a multiple
;; of @BITS_LANE_BYTES bytes.

;; Raw (unpadded) bytes of one vector, or 0 when dim is 0 or above the Core profile
;; limit for the dtype. The caller has checked that dtype is 1..3.
(func $vec_raw_bytes (param $dtype i32) (param $dim i32) (result i32)
  (if (i32.gt_u (local.get $dim)
        (select (i32.const @IMG_MAX_DIM_FP16)
          (select (i32.const @MAX_DIM_I8) (i32.const @MAX_DIM_BITS) (i32.eq (local.get $dtype) (i32.const @DTYPE_I8)))
          (i32.eq (local.get $dtype) (i32.const @DTYPE_FP16))))
    (then (return (i32.const 0))))
  (select (i32.shl (local.get $dim) (i32.const 1))
    (select (local.get $dim) (i32.shr_u (i32.add (local.get $dim) (i32.const 7)) (i32.const 3))
      (i32.eq (local.get $dtype) (i32.const @DTYPE_I8)))
    (i32.eq (local.get $dtype) (i32.const @DTYPE_FP16))))

;; Padded bytes (the block stride) for raw bytes: fp16 rounds up to 16 B (8 elements),
;; i8 and binary codes to 8 B.
(func $vec_stride (param $dtype i32) (param $raw i32) (result i32)
  (local $mask i32)
;;#if hot
  ;; PQ6 codes stay packed (wat/hot/30-pq6.wat reads 3M/4 bytes a vector).
  (local.set $mask (select (i32.const 15) (select (i32.const 0) (i32.const 7) (i32.eq (local.get $dtype) (i32.const @DTYPE_PQ6)))
    (i32.eq (local.get $dtype) (i32.const @DTYPE_FP16))))
;;#else
  (local.set $mask (select (i32.const 15) (i32.const 7) (i32.eq (local.get $dtype) (i32.const @DTYPE_FP16))))
;;#endif
  (i32.and (i32.add (local.get $raw) (local.get $mask)) (i32.xor (local.get $mask) (i32.const -1))))

;; 1 when the metric does not apply to the dtype: fp16 and i8 take L2, IP and cosine,
;; binary codes hamming only (rvf_distances and LOAD_QUERY share this rule).
(func $metric_bad (param $dtype i32) (param $metric i32) (result i32)
  (select (i32.ne (local.get $metric) (i32.const @METRIC_HAMMING)) (i32.gt_u (local.get $metric) (i32.const @METRIC_COSINE))
    (i32.eq (local.get $dtype) (i32.const @DTYPE_BITS))))

;; 1 when dtype is not one of @DTYPE_FP16, @DTYPE_I8, @DTYPE_BITS.
(func $vec_bad_dtype (param $dtype i32) (result i32)
  (i32.gt_u (i32.sub (local.get $dtype) (i32.const 1)) (i32.const 2)))

;; rvf_load_query(query_ptr, dim): decode the raw query (dtype from the config byte
;; @CFG_DTYPE) into @IMG_QUERY_PTR. The raw bytes are first copied to @TEMP_PTR with
;; memory.copy (memmove semantics) and zero-padded there, so the source may sit anywhere
;; in the tile, even overlapping @IMG_QUERY_PTR or @TEMP_PTR. fp16 is decoded to f32
;; (padded*4 B); i8 and binary codes are copied as they are (padded B).
;; @ST_QUERY_NORM gets sqrt(qq) in f32, qq summed in the kernel's lane order (fp16) or
;; exactly (i8, then converted to f32); for binary codes it is unused.
(func $rvf_load_query (export "rvf_load_query") (param $query_ptr i32) (param $dim i32) (result i32)
  (local $dtype i32) (local $raw i32) (local $stride i32) (local $padded i32) (local $is16 i32)
  (local.set $dtype (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR)))
  (if (call $vec_bad_dtype (local.get $dtype)) (then (return (i32.const @ERR_BAD_DTYPE))))
  (local.set $raw (call $vec_raw_bytes (local.get $dtype) (local.get $dim)))
  (if (i32.eqz (local.get $raw)) (then (return (i32.const @ERR_BAD_DIM))))
  (if (i32.eqz (call $range_ok (local.get $query_ptr) (local.get $raw)))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (local.set $is16 (i32.eq (local.get $dtype) (i32.const @DTYPE_FP16)))
  (local.set $stride (call $vec_stride (local.get $dtype) (local.get $raw)))
  (local.set $padded (i32.shr_u (local.get $stride) (local.get $is16)))
  ;; Raw query -> TEMP, zero-padded to the stride.
  (memory.copy (i32.const @TEMP_PTR) (local.get $query_ptr) (local.get $raw))
  (call $work (i32.const @WK_IO_BYTES) (local.get $stride))
  (memory.fill (i32.add (i32.const @TEMP_PTR) (local.get $raw)) (i32.const 0)
    (i32.sub (local.get $stride) (local.get $raw)))
  (call $st_set (i32.const @ST_QUERY_DIM) (local.get $dim))
  (call $st_set (i32.const @ST_QUERY_DTYPE) (local.get $dtype))
  (call $st_set (i32.const @ST_QUERY_PADDED) (local.get $padded))
  (if (local.get $is16)
    (then (call $query_decode_fp16 (local.get $stride)))
    (else (memory.copy (i32.const @IMG_QUERY_PTR) (i32.const @TEMP_PTR) (local.get $stride))))
  ;; qq over the padded copy in TEMP (mode 2 sums v*v; the padding adds zeros).
  (f32.store offset=@ST_QUERY_NORM (i32.const @STATE_PTR)
    (f32.sqrt (call $dist_sum (i32.const @TEMP_PTR) (i32.const 2))))
  (i32.const @OK))

;; fp16 at TEMP (bytes of them) -> f32 at QUERY_PTR. Once per query, so both builds use
;; the scalar converter (the SIMD one stays inlined in the distance loop).
(func $query_decode_fp16 (param $bytes i32)
  (local $i i32)
  (loop $elem
    (f32.store (i32.add (i32.const @IMG_QUERY_PTR) (i32.shl (local.get $i) (i32.const 1)))
      (call $fp16_to_f32 (i32.load16_u (i32.add (i32.const @TEMP_PTR) (local.get $i)))))
    (br_if $elem (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 2))) (local.get $bytes)))))
