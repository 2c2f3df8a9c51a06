;; LOAD_BLOCK: one chunk of a block stream (docs/protocol.md "Block streams"). Three steps,
;; each validating everything it needs before its first write outside the I/O buffer:
;;   $on_load_block  the chunk header against the config: dtype, dim, count, stream size
;;   $lb_stage       the chunk against the staged stream (offsets, FINAL's SQ params and
;;                   CRC), then stages its bytes
;;   $lb_finish      FINAL: ids, dequantization, rvf_load_block, the merge

;; {u32 offset, u16 count, u8 dtype, u8 flags, u64 first_id, u32 crc32c, u32 total_bytes, data}
(func $on_load_block (param $len i32) (result i32)
  (local $flags i32) (local $dtype i32) (local $dim i32) (local $raw i32) (local $count i32)
  (local $vbytes i32) (local $total i32) (local $base i32) (local $declared i32) (local $cfg_dtype i32)
;;#if hot
  (local $n i32)
;;#endif
  (if (i32.lt_u (local.get $len) (i32.const @LB_HEADER_BYTES))
    (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
  (local.set $flags (i32.load8_u offset=@LB_FLAGS (i32.const @MSG_PAYLOAD_PTR)))
  (local.set $dtype (i32.load8_u offset=@LB_DTYPE (i32.const @MSG_PAYLOAD_PTR)))
  (local.set $cfg_dtype (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR)))
  ;; The stream's dtype is the config's, or i8 codes dequantized into an fp16 config.
  (global.set $reply_value (local.get $dtype))
  (if (i32.eqz
        (select
          (i32.and (i32.eq (local.get $dtype) (i32.const @DTYPE_I8))
                   (i32.eq (local.get $cfg_dtype) (i32.const @DTYPE_FP16)))
          (i32.or
            (i32.and (i32.eq (local.get $dtype) (local.get $cfg_dtype))
                     (i32.eqz (call $vec_bad_dtype (local.get $dtype))))
;;#if hot
            ;; PQ6 codes (wat/hot/30-pq6.wat) score against an fp16 query.
            (i32.and (i32.eq (local.get $dtype) (i32.const @DTYPE_PQ6)) (i32.eq (local.get $cfg_dtype) (i32.const @DTYPE_FP16)))
;;#else
            (i32.const 0)
;;#endif
            )
          (i32.and (local.get $flags) (i32.const @LB_F_DEQUANT))))
    (then (return (i32.const @ERR_BAD_DTYPE))))
  (local.set $dim (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR)))
  (local.set $raw (call $vec_raw_bytes (local.get $dtype) (local.get $dim)))
;;#if hot
  ;; A PQ6 vector is 3M/4 bytes of this query's complete table (none: @ERR_NO_PARAMS).
  (if (i32.eq (local.get $dtype) (i32.const @DTYPE_PQ6))
    (then
      (global.set $reply_value (call $pq6_m))
      (if (i32.eqz (global.get $reply_value)) (then (return (i32.const @ERR_NO_PARAMS))))
      (local.set $raw (i32.mul (i32.shr_u (global.get $reply_value) (i32.const 2)) (i32.const @PQ6_GROUP_BYTES)))))
;;#endif
  (global.set $reply_value (local.get $dim))
  (if (i32.eqz (local.get $raw))
    (then (return (i32.const @ERR_BAD_DIM))))
  (local.set $count (i32.load16_u offset=@LB_COUNT (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $count))
  (if (i32.ge_u (i32.sub (local.get $count) (i32.const 1)) (i32.const @MAX_BLOCK_VECTORS))
    (then (return (i32.const @ERR_BAD_COUNT))))
  ;; The stream: count padded vectors, then count u64 ids when they are explicit. It
  ;; must fit its staging area (count <= 128 and stride <= 768 B: no overflow).
  (local.set $vbytes (i32.mul (local.get $count) (call $vec_stride (local.get $dtype) (local.get $raw))))
  (local.set $total (i32.add (local.get $vbytes)
    (select (i32.shl (local.get $count) (i32.const 3)) (i32.const 0) (i32.and (local.get $flags) (i32.const @LB_F_EXPLICIT_IDS)))))
  (local.set $base (select (i32.const @LB_DEQUANT_STAGE_PTR) (i32.const @BLOCK_PTR) (i32.and (local.get $flags) (i32.const @LB_F_DEQUANT))))
  (global.set $reply_value (local.get $count))
  (if (i32.gt_u (i32.add (local.get $base) (local.get $total)) (i32.add (i32.const @BLOCK_PTR) (i32.const @IMG_BLOCK_BYTES)))
    (then (return (i32.const @ERR_BAD_COUNT))))
  (local.set $declared (i32.load offset=@LB_TOTAL_BYTES (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $declared))
  (if (i32.ne (local.get $declared) (local.get $total))
    (then (return (i32.const @ERR_BAD_COUNT))))
;;#if hot
  ;; An LZ4 chunk (wat/hot/20-lz4.wat) stages its decoded size.
  (local.set $n (call $lb_chunk_bytes (local.get $len) (local.get $flags) (local.get $total)))
  (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (i32.sub (i32.const 0) (local.get $n)))))
;;#endif
  (call $lb_stage
;;#if hot
    (local.get $n)
;;#else
    (i32.sub (local.get $len) (i32.const @LB_HEADER_BYTES))
;;#endif
    (local.get $count) (local.get $flags) (i32.or (local.get $dtype)
      (i32.shl (i32.and (local.get $flags) (i32.const @LB_F_LAYOUT)) (i32.const @CHUNK_LAYOUT_SHIFT)))
    (local.get $base) (local.get $vbytes) (local.get $total)))

;; The chunk's $n data bytes against the staged stream, then staged at $base + offset.
;; $shape is the stream's dtype and layout flags as @ST_CHUNK_DTYPE keeps them.
(func $lb_stage (param $n i32) (param $count i32) (param $flags i32) (param $shape i32)
  (param $base i32) (param $vbytes i32) (param $total i32) (result i32)
  (local $off i32) (local $end i32) (local $staged i32) (local $declared_crc i32) (local $final i32) (local $crc i32)
;;#if hot
  (local $data i32)
;;#endif
  (local.set $off (i32.load offset=@LB_OFFSET (i32.const @MSG_PAYLOAD_PTR)))
  (local.set $staged (call $st_get (i32.const @ST_CHUNK_BYTES)))
  (local.set $declared_crc (i32.load offset=@LB_CRC (i32.const @MSG_PAYLOAD_PTR)))
  (local.set $final (i32.and (local.get $flags) (i32.const @LB_F_FINAL)))
  ;; off is 0 or the staged bytes (<= total <= 32 KB), so off + n cannot wrap.
  (local.set $end (i32.add (local.get $off) (local.get $n)))
  ;; A re-sent chunk (its ack was lost) that ends where staging ends, of the same stream
  ;; (same declared CRC), is acknowledged again without changing anything.
  (if (i32.and (i32.ne (local.get $off) (i32.const 0))
        (i32.and (i32.eq (local.get $end) (local.get $staged))
                 (i32.eq (local.get $declared_crc) (call $st_get (i32.const @ST_CHUNK_CRC)))))
    (then
      (global.set $reply_value (i32.const 0))
      (return (i32.const @OK))))
  ;; Chunks arrive in order: offset 0 starts a stream; any other offset continues the
  ;; staged one (same count, dtype, layout flags) and must end within the stream; FINAL
  ;; ends exactly at its end.
  (global.set $reply_value (local.get $off))
  (if (i32.or
        (i32.and (i32.ne (local.get $off) (i32.const 0))
          (i32.or (i32.ne (local.get $off) (local.get $staged))
            (i32.or (i32.ne (local.get $count) (call $st_get (i32.const @ST_CHUNK_COUNT)))
                    (i32.ne (local.get $shape) (call $st_get (i32.const @ST_CHUNK_DTYPE))))))
        (select (i32.ne (local.get $end) (local.get $total))
                (i32.gt_u (local.get $end) (local.get $total))
                (local.get $final)))
    (then (return (i32.const @ERR_BAD_OFFSET))))
;;#if hot
  ;; The chunk's bytes: the payload, or an LZ4 chunk decoded in place (wat/hot/20-lz4.wat).
  (local.set $data (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LB_HEADER_BYTES)))
  (if (i32.and (local.get $flags) (i32.const @LB_F_LZ4))
    (then
      (if (local.tee $crc (call $lb_lz4 (i32.add (local.get $base) (local.get $off)) (local.get $n) (local.get $base)))
        (then (return (local.get $crc))))
      (local.set $data (i32.add (local.get $base) (local.get $off)))))
;;#endif
  (if (local.get $final)
    (then
      ;; Dequantization needs SQ params for this dim.
      (global.set $reply_value (call $st_get (i32.const @ST_SQ_DIM)))
      (if (i32.and (i32.ne (global.get $reply_value) (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR)))
                   (i32.ne (i32.and (local.get $flags) (i32.const @LB_F_DEQUANT)) (i32.const 0)))
        (then (return (i32.const @ERR_NO_PARAMS))))
      ;; VERIFY_CRC: the CRC over the staged bytes chained with this chunk's, before anything
      ;; is copied. Without the flag no CRC runs (32 KB of table steps per block otherwise).
      (if (i32.and (local.get $flags) (i32.const @LB_F_VERIFY_CRC))
        (then
          (local.set $crc (i32.xor (i32.const -1)
            (call $crc32c_run (call $crc32c_run (i32.const -1) (local.get $base) (local.get $off))
;;#if hot
              (local.get $data) (local.get $n))))
;;#else
              (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LB_HEADER_BYTES)) (local.get $n))))
;;#endif
          (global.set $reply_value (local.get $crc))
          (if (i32.ne (local.get $crc) (local.get $declared_crc)) (then (return (i32.const @ERR_CRC_MISMATCH))))))))
  ;; Valid: stage the chunk. A new stream overwrites the resident block's bytes.
  (if (i32.eqz (local.get $off))
    (then
      (call $st_set (i32.const @ST_BLOCK_COUNT) (i32.const 0))
      (call $st_set (i32.const @ST_CHUNK_COUNT) (local.get $count))
      (call $st_set (i32.const @ST_CHUNK_CRC) (local.get $declared_crc))
      (call $st_set (i32.const @ST_CHUNK_DTYPE) (local.get $shape))))
;;#if hot
  ;; (An LZ4 chunk is in place already, its work counted by the decoder.)
  (if (i32.eq (local.get $data) (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LB_HEADER_BYTES)))
    (then
;;#endif
  (memory.copy (i32.add (local.get $base) (local.get $off))
    (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LB_HEADER_BYTES)) (local.get $n))
  (call $work (i32.const @WK_IO_BYTES) (local.get $n))
;;#if hot
  ))
;;#endif
  (call $st_set (i32.const @ST_CHUNK_BYTES) (local.get $end))
  (global.set $reply_value (local.get $end))
  (if (i32.eqz (local.get $final)) (then (return (i32.const @OK))))
  (call $lb_finish (local.get $count) (local.get $flags) (local.get $base) (local.get $vbytes)))

;; FINAL: the stream is complete; no chunk may continue it (count 0 never matches). The
;; ids, the dequantized or plain vectors at @BLOCK_PTR, then distances and the merge
;; unless STAGE_ONLY or no query is loaded.
(func $lb_finish (param $count i32) (param $flags i32) (param $base i32) (param $vbytes i32) (result i32)
  (call $st_set (i32.const @ST_CHUNK_COUNT) (i32.const 0))
  (i64.store offset=@ST_BLOCK_FIRST_ID (i32.const @STATE_PTR) (i64.load offset=@LB_FIRST_ID (i32.const @MSG_PAYLOAD_PTR)))
  (call $st_set (i32.const @ST_BLOCK_EXPLICIT_IDS) (i32.and (local.get $flags) (i32.const @LB_F_EXPLICIT_IDS)))
  (if (i32.and (local.get $flags) (i32.const @LB_F_EXPLICIT_IDS))
    (then
      (memory.copy (i32.const @IDS_PTR) (i32.add (local.get $base) (local.get $vbytes)) (i32.shl (local.get $count) (i32.const 3)))
      (call $work (i32.const @WK_IO_BYTES) (i32.shl (local.get $count) (i32.const 3)))))
  (if (i32.ne (local.get $base) (i32.const @BLOCK_PTR))
    (then (drop (call $rvf_dequant_i8 (local.get $base) (i32.const @BLOCK_PTR) (local.get $count)))))
;;#if hot
  ;; A PQ6 block (codes packed, no padding) is recorded as it stands; COMPUTE scores it
  ;; with the PQ6 table ($compute_and_merge).
  (if (i32.eq (i32.load8_u offset=@LB_DTYPE (i32.const @MSG_PAYLOAD_PTR)) (i32.const @DTYPE_PQ6))
    (then
      (call $st_set (i32.const @ST_BLOCK_COUNT) (local.get $count))
      (call $st_set (i32.const @ST_BLOCK_DTYPE) (i32.const @DTYPE_PQ6))
      (call $st_set (i32.const @ST_BLOCK_PTR) (i32.const @BLOCK_PTR)))
    (else
      (drop (call $rvf_load_block (i32.const @BLOCK_PTR) (local.get $count) (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR))))))
;;#else
  (drop (call $rvf_load_block (i32.const @BLOCK_PTR) (local.get $count) (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR))))
;;#endif
  ;; FRESH_TOPK (push-hnsw): the top-K starts empty, so READ_TOPK returns exactly this
  ;; block's distances; the query stays loaded.
  (if (i32.and (local.get $flags) (i32.const @LB_F_FRESH_TOPK))
    (then (call $st_set (i32.const @ST_TOPK_LEN) (i32.const 0))))
  (global.set $reply_value (i32.const 0))
  (if (i32.or (i32.and (local.get $flags) (i32.const @LB_F_STAGE_ONLY))
              (i32.eqz (call $st_get (i32.const @ST_QUERY_DIM))))
    (then (return (i32.const @OK))))
  (global.set $reply_value (local.get $count))
  (call $compute_and_merge (i32.load8_u offset=@CFG_METRIC (i32.const @CONFIG_PTR))
    (i32.load8_u offset=@CFG_K (i32.const @CONFIG_PTR))))
