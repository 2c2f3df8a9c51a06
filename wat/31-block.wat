;; rvf_load_block(block_ptr, count, dtype): the hub has placed `count` vectors at
;; block_ptr, each `stride` bytes apart (the padded size for the config dim @CFG_DIM;
;; bits for binary codes). Checks, in order: dtype (@ERR_BAD_DTYPE), dim for the dtype
;; (@ERR_BAD_DIM), count 1..@MAX_BLOCK_VECTORS (@ERR_BAD_COUNT), block_ptr inside the
;; block region [@BLOCK_PTR, @BLOCK_PTR + @IMG_BLOCK_BYTES) (@ERR_BAD_POINTER), and the whole
;; block inside the region (@ERR_BAD_COUNT). Then zeroes every vector's padding, so
;; garbage there cannot change a distance, and records the block in the state region.
;; The ids (@ST_BLOCK_FIRST_ID, @ST_BLOCK_EXPLICIT_IDS) belong to the dispatcher.
(func $rvf_load_block (export "rvf_load_block") (param $block_ptr i32) (param $count i32) (param $dtype i32) (result i32)
  (local $raw i32) (local $stride i32) (local $p i32) (local $end i32)
  (if (call $vec_bad_dtype (local.get $dtype)) (then (return (i32.const @ERR_BAD_DTYPE))))
  (local.set $raw (call $vec_raw_bytes (local.get $dtype) (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR))))
  (if (i32.eqz (local.get $raw)) (then (return (i32.const @ERR_BAD_DIM))))
  (if (i32.ge_u (i32.sub (local.get $count) (i32.const 1)) (i32.const @MAX_BLOCK_VECTORS))
    (then (return (i32.const @ERR_BAD_COUNT))))
  (if (i32.ge_u (i32.sub (local.get $block_ptr) (i32.const @BLOCK_PTR)) (i32.const @IMG_BLOCK_BYTES))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (local.set $stride (call $vec_stride (local.get $dtype) (local.get $raw)))
  ;; count <= 128 and stride <= 1,536, so the product cannot overflow.
  (local.set $end (i32.add (local.get $block_ptr) (i32.mul (local.get $count) (local.get $stride))))
  (if (i32.gt_u (local.get $end) (i32.add (i32.const @BLOCK_PTR) (i32.const @IMG_BLOCK_BYTES)))
    (then (return (i32.const @ERR_BAD_COUNT))))
  (local.set $p (local.get $block_ptr))
  (loop $vector
    (memory.fill (i32.add (local.get $p) (local.get $raw)) (i32.const 0) (i32.sub (local.get $stride) (local.get $raw)))
    (br_if $vector (i32.lt_u (local.tee $p (i32.add (local.get $p) (local.get $stride))) (local.get $end))))
  (call $st_set (i32.const @ST_BLOCK_COUNT) (local.get $count))
  (call $st_set (i32.const @ST_BLOCK_DTYPE) (local.get $dtype))
  (call $st_set (i32.const @ST_BLOCK_STRIDE) (local.get $stride))
  (call $st_set (i32.const @ST_BLOCK_PTR) (local.get $block_ptr))
  (i32.const @OK))
