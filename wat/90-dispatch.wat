;; $dispatch_message: the body of rvf_on_message (wat/95-integrity.wat wraps it with the
;; message CRC check), the hub's entry point (docs/protocol.md). The hub writes one message
;; at @IO_PTR (8 B header: u16 type, u16 payload length, u32 id; then the payload); the
;; tile validates it completely, runs it, and writes exactly one reply into the same
;; buffer (the id stays in place), returning the reply's length in bytes. Every check
;; runs before the first write outside the I/O buffer, so an ERROR reply means the tile's
;; memory outside @IO_PTR is as it was, and the tile keeps serving.

;; Writes a DONE or ERROR reply: header {type, @REPLY_BYTES}, then {word, value}.
(func $msg_reply (param $type i32) (param $word i32) (param $value i32) (result i32)
  (i32.store (i32.const @IO_PTR) (i32.or (local.get $type) (i32.shl (i32.const @REPLY_BYTES) (i32.const 16))))
  (i32.store offset=@REPLY_WORD (i32.const @MSG_PAYLOAD_PTR) (local.get $word))
  (i32.store offset=@REPLY_VALUE (i32.const @MSG_PAYLOAD_PTR) (local.get $value))
  (i32.const 16))

(func $dispatch_message (result i32)
  (local $t i32) (local $len i32) (local $d i32) (local $s i32)
  (local $dtype i32) (local $count i32) (local $flags i32) (local $off i32) (local $n i32)
  (local $total i32) (local $raw i32) (local $base i32) (local $vbytes i32)
  (local.set $t (i32.load16_u (i32.const @IO_PTR)))
  (local.set $len (i32.load16_u offset=@MSG_LENGTH (i32.const @IO_PTR)))
  (local.set $s
    (block $f (result i32)
      (local.set $d (local.get $t))
      (drop (br_if $f (i32.const @ERR_BAD_MSG_TYPE)
        (i32.gt_u (i32.sub (local.get $t) (i32.const 1)) (i32.const 6))))
      (local.set $d (local.get $len))
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH) (i32.gt_u (local.get $len) (i32.const @MSG_MAX_PAYLOAD))))
      (block $reset
      (block $topk
      (block $compute
      (block $params
      (block $neighbors
      (block $block
      (block $query
        (br_table $query $block $neighbors $params $compute $topk $reset (i32.sub (local.get $t) (i32.const 1))))
      ;; ---- LOAD_QUERY {u8 dtype, u8 metric, u8 k, u8 0, u16 dim, u16 0, vector} ----
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH) (i32.lt_u (local.get $len) (i32.const @LQ_HEADER_BYTES))))
      (local.set $d (local.tee $dtype (i32.load8_u offset=@LQ_DTYPE (i32.const @MSG_PAYLOAD_PTR))))
      (drop (br_if $f (i32.const @ERR_BAD_DTYPE) (call $vec_bad_dtype (local.get $dtype))))
      (local.set $d (i32.load16_u offset=@LQ_DIM (i32.const @MSG_PAYLOAD_PTR)))
      (drop (br_if $f (i32.const @ERR_BAD_DIM)
        (i32.eqz (local.tee $raw (call $vec_raw_bytes (local.get $dtype) (local.get $d))))))
      ;; fp16 and i8: L2, IP, cosine; binary codes: hamming only (as rvf_distances).
      (local.set $d (i32.load8_u offset=@LQ_METRIC (i32.const @MSG_PAYLOAD_PTR)))
      (drop (br_if $f (i32.const @ERR_BAD_METRIC)
        (select (i32.ne (local.get $d) (i32.const @METRIC_HAMMING)) (i32.gt_u (local.get $d) (i32.const @METRIC_COSINE))
          (i32.eq (local.get $dtype) (i32.const @DTYPE_BITS)))))
      (local.set $d (i32.load8_u offset=@LQ_K (i32.const @MSG_PAYLOAD_PTR)))
      (drop (br_if $f (i32.const @ERR_BAD_K) (i32.ge_u (i32.sub (local.get $d) (i32.const 1)) (i32.const @TOPK_MAX))))
      (local.set $d (local.get $len))
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH)
        (i32.ne (local.get $len) (i32.add (local.get $raw) (i32.const @LQ_HEADER_BYTES)))))
      ;; Valid. A new dtype or dim drops the resident and the staged block: their stride
      ;; was computed for the old one.
      (if (i32.or (i32.ne (local.get $dtype) (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR)))
                  (i32.ne (i32.load16_u offset=@LQ_DIM (i32.const @MSG_PAYLOAD_PTR))
                          (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR))))
        (then
          (call $st_set (i32.const @ST_BLOCK_COUNT) (i32.const 0))
          (call $st_set (i32.const @ST_CHUNK_BYTES) (i32.const 0))))
      ;; dtype, metric, k sit in the same order in the payload and the config.
      (memory.copy (i32.add (i32.const @CONFIG_PTR) (i32.const @CFG_DTYPE)) (i32.const @MSG_PAYLOAD_PTR) (i32.const 3))
      (i32.store16 offset=@CFG_DIM (i32.const @CONFIG_PTR) (i32.load16_u offset=@LQ_DIM (i32.const @MSG_PAYLOAD_PTR)))
      ;; A new query starts: empty top-K, no greedy walk, PQ tables stale.
      (call $st_set (i32.const @ST_TOPK_LEN) (i32.const 0))
      (call $st_set (i32.const @ST_CUR_SET) (i32.const 0))
      (call $st_set (i32.const @ST_PQ_TABLES) (i32.const 0))
      (call $pull_begin)
      (local.set $d (i32.const 0))
      (br $f (call $rvf_load_query (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LQ_HEADER_BYTES))
        (i32.load16_u offset=@LQ_DIM (i32.const @MSG_PAYLOAD_PTR)))))
      ;; ---- LOAD_BLOCK: one chunk of a block stream (docs/protocol.md "Block streams") ----
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH) (i32.lt_u (local.get $len) (i32.const @LB_HEADER_BYTES))))
      (local.set $n (i32.sub (local.get $len) (i32.const @LB_HEADER_BYTES)))
      (local.set $flags (i32.load8_u offset=@LB_FLAGS (i32.const @MSG_PAYLOAD_PTR)))
      (local.set $d (local.tee $dtype (i32.load8_u offset=@LB_DTYPE (i32.const @MSG_PAYLOAD_PTR))))
      ;; The stream's dtype is the config's, or i8 codes dequantized into an fp16 config.
      (drop (br_if $f (i32.const @ERR_BAD_DTYPE)
        (i32.eqz
          (select
            (i32.and (i32.eq (local.get $dtype) (i32.const @DTYPE_I8))
                     (i32.eq (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR)) (i32.const @DTYPE_FP16)))
            (i32.and (i32.eq (local.get $dtype) (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR)))
                     (i32.eqz (call $vec_bad_dtype (local.get $dtype))))
            (i32.and (local.get $flags) (i32.const @LB_F_DEQUANT))))))
      (local.set $d (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR)))
      (drop (br_if $f (i32.const @ERR_BAD_DIM)
        (i32.eqz (local.tee $raw (call $vec_raw_bytes (local.get $dtype) (local.get $d))))))
      (local.set $d (local.tee $count (i32.load16_u offset=@LB_COUNT (i32.const @MSG_PAYLOAD_PTR))))
      (drop (br_if $f (i32.const @ERR_BAD_COUNT) (i32.ge_u (i32.sub (local.get $count) (i32.const 1)) (i32.const @MAX_BLOCK_VECTORS))))
      ;; The stream: count padded vectors, then count u64 ids when they are explicit. It
      ;; must fit its staging area (count <= 128 and stride <= 768 B: no overflow).
      (local.set $vbytes (i32.mul (local.get $count) (call $vec_stride (local.get $dtype) (local.get $raw))))
      (local.set $total (i32.add (local.get $vbytes)
        (select (i32.shl (local.get $count) (i32.const 3)) (i32.const 0) (i32.and (local.get $flags) (i32.const @LB_F_EXPLICIT_IDS)))))
      (local.set $base (select (i32.const @LB_DEQUANT_STAGE_PTR) (i32.const @BLOCK_PTR) (i32.and (local.get $flags) (i32.const @LB_F_DEQUANT))))
      (drop (br_if $f (i32.const @ERR_BAD_COUNT)
        (i32.gt_u (i32.add (local.get $base) (local.get $total)) (i32.add (i32.const @BLOCK_PTR) (i32.const @BLOCK_BYTES)))))
      (local.set $d (i32.load offset=@LB_TOTAL_BYTES (i32.const @MSG_PAYLOAD_PTR)))
      (drop (br_if $f (i32.const @ERR_BAD_COUNT) (i32.ne (local.get $d) (local.get $total))))
      ;; Chunks arrive in order: offset 0 starts a stream; any other offset continues the
      ;; staged one (same count, dtype, layout flags) and must end within the stream.
      (local.set $d (local.tee $off (i32.load offset=@LB_OFFSET (i32.const @MSG_PAYLOAD_PTR))))
      ;; A re-sent chunk (its ack was lost) that ends where staging ends, of the same stream
      ;; (same declared CRC), is acknowledged again without changing anything.
      (if (i32.and (i32.ne (local.get $off) (i32.const 0))
            (i32.and (i32.eq (i32.add (local.get $off) (local.get $n)) (call $st_get (i32.const @ST_CHUNK_BYTES)))
                     (i32.eq (i32.load offset=@LB_CRC (i32.const @MSG_PAYLOAD_PTR)) (call $st_get (i32.const @ST_CHUNK_CRC)))))
        (then (local.set $d (i32.const 0)) (br $f (i32.const @OK))))
      (local.set $dtype (i32.or (local.get $dtype) (i32.shl (i32.and (local.get $flags) (i32.const 10)) (i32.const 8))))
      (drop (br_if $f (i32.const @ERR_BAD_OFFSET)
        (i32.and (i32.ne (local.get $off) (i32.const 0))
          (i32.or (i32.ne (local.get $off) (call $st_get (i32.const @ST_CHUNK_BYTES)))
            (i32.or (i32.ne (local.get $count) (call $st_get (i32.const @ST_CHUNK_COUNT)))
                    (i32.ne (local.get $dtype) (call $st_get (i32.const @ST_CHUNK_DTYPE))))))))
      ;; off is 0 or the staged bytes (<= total <= 32 KB), so off + n cannot wrap.
      (drop (br_if $f (i32.const @ERR_BAD_OFFSET)
        (select (i32.ne (i32.add (local.get $off) (local.get $n)) (local.get $total))
                (i32.gt_u (i32.add (local.get $off) (local.get $n)) (local.get $total))
                (i32.and (local.get $flags) (i32.const @LB_F_FINAL)))))
      (if (i32.and (local.get $flags) (i32.const @LB_F_FINAL))
        (then
          ;; Dequantization needs SQ params for this dim.
          (local.set $d (call $st_get (i32.const @ST_SQ_DIM)))
          (drop (br_if $f (i32.const @ERR_NO_PARAMS)
            (i32.and (i32.ne (local.get $d) (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR)))
                     (i32.ne (i32.and (local.get $flags) (i32.const @LB_F_DEQUANT)) (i32.const 0)))))
          ;; CRC over the staged bytes chained with this chunk's, before anything is copied.
          (local.set $d (i32.xor (i32.const -1)
            (call $crc32c_run (call $crc32c_run (i32.const -1) (local.get $base) (local.get $off))
              (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LB_HEADER_BYTES)) (local.get $n))))
          (drop (br_if $f (i32.const @ERR_CRC_MISMATCH)
            (i32.and (i32.ne (local.get $d) (i32.load offset=@LB_CRC (i32.const @MSG_PAYLOAD_PTR)))
                     (i32.ne (i32.and (local.get $flags) (i32.const @LB_F_VERIFY_CRC)) (i32.const 0)))))))
      ;; Valid: stage the chunk. A new stream overwrites the resident block's bytes.
      (if (i32.eqz (local.get $off))
        (then
          (call $st_set (i32.const @ST_BLOCK_COUNT) (i32.const 0))
          (call $st_set (i32.const @ST_CHUNK_COUNT) (local.get $count))
          (call $st_set (i32.const @ST_CHUNK_CRC) (i32.load offset=@LB_CRC (i32.const @MSG_PAYLOAD_PTR)))
          (call $st_set (i32.const @ST_CHUNK_DTYPE) (local.get $dtype))))
      (memory.copy (i32.add (local.get $base) (local.get $off))
        (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LB_HEADER_BYTES)) (local.get $n))
      (call $st_set (i32.const @ST_CHUNK_BYTES) (local.tee $d (i32.add (local.get $off) (local.get $n))))
      (drop (br_if $f (i32.const @OK) (i32.eqz (i32.and (local.get $flags) (i32.const @LB_F_FINAL)))))
      ;; FINAL: the stream is complete; no chunk may continue it (count 0 never matches).
      (call $st_set (i32.const @ST_CHUNK_COUNT) (i32.const 0))
      (i64.store offset=@ST_BLOCK_FIRST_ID (i32.const @STATE_PTR) (i64.load offset=@LB_FIRST_ID (i32.const @MSG_PAYLOAD_PTR)))
      (local.set $flags (i32.and (local.get $flags) (i32.const @LB_F_EXPLICIT_IDS)))
      (call $st_set (i32.const @ST_BLOCK_EXPLICIT_IDS) (local.get $flags))
      (if (local.get $flags)
        (then (memory.copy (i32.const @IDS_PTR) (i32.add (local.get $base) (local.get $vbytes)) (i32.shl (local.get $count) (i32.const 3)))))
      (if (i32.ne (local.get $base) (i32.const @BLOCK_PTR))
        (then (drop (call $rvf_dequant_i8 (local.get $base) (i32.const @BLOCK_PTR) (local.get $count)))))
      (drop (call $rvf_load_block (i32.const @BLOCK_PTR) (local.get $count) (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR))))
      ;; FRESH_TOPK (push-hnsw): the top-K starts empty, so READ_TOPK returns exactly this
      ;; block's distances; the query stays loaded.
      (if (i32.and (i32.load8_u offset=@LB_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LB_F_FRESH_TOPK))
        (then (call $st_set (i32.const @ST_TOPK_LEN) (i32.const 0))))
      (local.set $d (i32.const 0))
      (drop (br_if $f (i32.const @OK)
        (i32.or (i32.and (i32.load8_u offset=@LB_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LB_F_STAGE_ONLY))
                (i32.eqz (call $st_get (i32.const @ST_QUERY_DIM))))))
      (local.set $d (local.get $count))
      (br $f (call $compute_and_merge (i32.load8_u offset=@CFG_METRIC (i32.const @CONFIG_PTR))
        (i32.load8_u offset=@CFG_K (i32.const @CONFIG_PTR)))))
      ;; ---- LOAD_NEIGHBORS {u64 node, u32 layer, u32 0, u32 count, u32 0, u64 ids[count]} ----
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH)
        (i32.or (i32.lt_u (local.get $len) (i32.const @LN_HEADER_BYTES))
          (i32.or (i32.and (local.get $len) (i32.const 7))
            (i32.ne (i32.shr_u (i32.sub (local.get $len) (i32.const @LN_HEADER_BYTES)) (i32.const 3))
                    (i32.load offset=@LN_COUNT (i32.const @MSG_PAYLOAD_PTR)))))))
      (local.set $d (i32.load offset=@LN_COUNT (i32.const @MSG_PAYLOAD_PTR)))
      (br $f (call $rvf_load_neighbors (i64.load offset=@LN_NODE_ID (i32.const @MSG_PAYLOAD_PTR))
        (i32.load offset=@LN_LAYER (i32.const @MSG_PAYLOAD_PTR))
        (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LN_RECORD)))))
      ;; ---- LOAD_PARAMS: one chunk of an SQ-params stream (f32 min, f32 scale per dim) ----
      ;; Kind 2 (PQ codebook, Hot profile) is refused: a Core tile has no PQ (spec 5).
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH) (i32.lt_u (local.get $len) (i32.const @LP_HEADER_BYTES))))
      (local.set $n (i32.sub (local.get $len) (i32.const @LP_HEADER_BYTES)))
      (local.set $d (local.tee $dtype (i32.load8_u offset=@LP_KIND (i32.const @MSG_PAYLOAD_PTR))))
      (drop (br_if $f (i32.const @ERR_INVALID_PARAMS) (i32.ne (local.get $dtype) (i32.const @LP_KIND_SQ))))
      (local.set $d (local.tee $raw (i32.load16_u offset=@LP_A (i32.const @MSG_PAYLOAD_PTR))))
      (drop (br_if $f (i32.const @ERR_BAD_DIM) (i32.ge_u (i32.sub (local.get $raw) (i32.const 1)) (i32.const @MAX_DIM_FP16))))
      (local.set $total (i32.shl (local.get $raw) (i32.const 3)))
      (local.set $d (i32.load offset=@LP_TOTAL_BYTES (i32.const @MSG_PAYLOAD_PTR)))
      (drop (br_if $f (i32.const @ERR_INVALID_PARAMS) (i32.ne (local.get $d) (local.get $total))))
      (local.set $d (local.tee $off (i32.load offset=@LP_OFFSET (i32.const @MSG_PAYLOAD_PTR))))
      (drop (br_if $f (i32.const @ERR_BAD_OFFSET)
        (i32.and (i32.ne (local.get $off) (i32.const 0))
          (i32.ne (i32.or (local.get $off) (i32.shl (local.get $dtype) (i32.const 16))) (call $st_get (i32.const @ST_PARAM_STAGE))))))
      (local.set $flags (i32.and (i32.load8_u offset=@LP_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LP_F_FINAL)))
      (drop (br_if $f (i32.const @ERR_BAD_OFFSET)
        (select (i32.ne (i32.add (local.get $off) (local.get $n)) (local.get $total))
                (i32.gt_u (i32.add (local.get $off) (local.get $n)) (local.get $total))
                (local.get $flags))))
      (memory.copy (i32.add (i32.const @SQ_PTR) (local.get $off))
        (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LP_HEADER_BYTES)) (local.get $n))
      (local.set $d (i32.add (local.get $off) (local.get $n)))
      ;; FINAL closes the stream (stage 0: only offset 0 may follow).
      (call $st_set (i32.const @ST_PARAM_STAGE)
        (select (i32.const 0) (i32.or (local.get $d) (i32.shl (local.get $dtype) (i32.const 16))) (local.get $flags)))
      (drop (br_if $f (i32.const @OK) (i32.eqz (local.get $flags))))
      (br $f (call $rvf_load_sq_params (i32.const @SQ_PTR) (local.get $raw))))
      ;; ---- COMPUTE {u8 metric, u8 k, u8 flags, u8 0} ----
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH) (i32.ne (local.get $len) (i32.const @CMP_BYTES))))
      (if (i32.and (i32.load8_u offset=@CMP_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LB_F_VERIFY_CRC))
        (then
          ;; Re-verify the resident block as LOAD_BLOCK staged it (a dequantized block's
          ;; codes may have been overwritten by its expansion: not re-verifiable).
          (local.set $d (i32.const 0))
          (drop (br_if $f (i32.const @ERR_NO_BLOCK) (i32.eqz (call $st_get (i32.const @ST_BLOCK_COUNT)))))
          (drop (br_if $f (i32.const @ERR_NOT_IMPLEMENTED)
            (i32.and (call $st_get (i32.const @ST_CHUNK_DTYPE)) (i32.shl (i32.const @LB_F_DEQUANT) (i32.const 8)))))
          (local.set $d (call $crc32c (i32.const @BLOCK_PTR) (call $st_get (i32.const @ST_CHUNK_BYTES))))
          (drop (br_if $f (i32.const @ERR_CRC_MISMATCH) (i32.ne (local.get $d) (call $st_get (i32.const @ST_CHUNK_CRC)))))))
      (local.set $d (call $st_get (i32.const @ST_BLOCK_COUNT)))
      (br $f (call $compute_and_merge (i32.load8_u offset=@CMP_METRIC (i32.const @MSG_PAYLOAD_PTR))
        (i32.load8_u offset=@CMP_K (i32.const @MSG_PAYLOAD_PTR)))))
      ;; ---- READ_TOPK {} -> TOPK_RESULT {u32 count, u32 0, count x 16 B entries} ----
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH) (local.get $len)))
      (local.set $n (call $st_get (i32.const @ST_TOPK_LEN)))
      (drop (call $rvf_topk_read (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @TOPK_RESULT_HEADER_BYTES))))
      (local.set $len (i32.add (i32.const @TOPK_RESULT_HEADER_BYTES) (i32.shl (local.get $n) (i32.const 4))))
      (i32.store (i32.const @IO_PTR) (i32.or (i32.const @MSG_TOPK_RESULT) (i32.shl (local.get $len) (i32.const 16))))
      (i64.store (i32.const @MSG_PAYLOAD_PTR) (i64.extend_i32_u (local.get $n)))
      (return (i32.add (local.get $len) (i32.const @MSG_HEADER_BYTES))))
      ;; ---- RESET {}: forget query, blocks, staged chunks, top-K, greedy walk ----
      (drop (br_if $f (i32.const @ERR_BAD_MSG_LENGTH) (local.get $len)))
      (memory.fill (i32.const @STATE_PTR) (i32.const 0) (i32.const @ST_TOPK_K))
      (call $st_set (i32.const @ST_TOPK_LEN) (i32.const 0))
      (call $st_set (i32.const @ST_PQ_TABLES) (i32.const 0))
      (call $st_set (i32.const @ST_PARAM_STAGE) (i32.const 0))
      (call $st_set (i32.const @ST_CHUNK_BYTES) (i32.const 0))
      (call $st_set (i32.const @ST_CHUNK_COUNT) (i32.const 0))
      (call $st_set (i32.const @ST_CUR_SET) (i32.const 0))
      (local.set $d (i32.const 0))
      (i32.const @OK)))
  ;; Pull mode answers a block or a neighbor list with the walk's next request.
  (if (i32.eqz (local.get $s))
    (then (if (local.tee $len (call $pull_on (local.get $t))) (then (return (local.get $len))))))
  (call $msg_reply (select (i32.const @MSG_ERROR) (i32.const @MSG_DONE) (local.get $s))
    (select (i32.or (local.get $s) (i32.shl (local.get $t) (i32.const 16))) (local.get $t) (local.get $s))
    (local.get $d)))
