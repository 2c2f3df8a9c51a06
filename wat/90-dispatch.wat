;; $dispatch_message: the body of rvf_on_message (wat/95-integrity.wat wraps it with the
;; message CRC check), the hub's entry point (docs/protocol.md). The hub writes one message
;; at @IO_PTR (8 B header: u16 type, u16 payload length, u32 id; then the payload); the
;; tile validates it completely, runs it, and writes exactly one reply into the same
;; buffer (the id stays in place), returning the reply's length in bytes. Every check
;; runs before the first write outside the I/O buffer, so an ERROR reply means the tile's
;; memory outside @IO_PTR is as it was (but for the work counters), and the tile keeps serving.
;;
;; One handler per message type ($on_*, here and in wat/91-load-block.wat); each takes the
;; payload length, returns a status (@OK or the ERROR code) and leaves the DONE value or
;; the ERROR detail in $reply_value; the dispatcher writes the reply. A handler starts with
;; $reply_value = the payload length, the detail of every BAD_MSG_LENGTH.

;; The DONE value or ERROR detail of the reply being built. Not tile state: every handler
;; sets it before it returns, so a fresh memory is still a fresh tile.
(global $reply_value (mut i32) (i32.const 0))

;; Writes a DONE or ERROR reply: header {type, @REPLY_BYTES}, then {word, value}.
(func $msg_reply (param $type i32) (param $word i32) (param $value i32) (result i32)
  (i32.store (i32.const @IO_PTR) (i32.or (local.get $type) (i32.shl (i32.const @REPLY_BYTES) (i32.const 16))))
  (i32.store offset=@REPLY_WORD (i32.const @MSG_PAYLOAD_PTR) (local.get $word))
  (i32.store offset=@REPLY_VALUE (i32.const @MSG_PAYLOAD_PTR) (local.get $value))
  (i32.const 16))

;; Header checks (unknown type first, then the payload length), the type's handler, then
;; its reply: ERROR; on success TOPK_RESULT for READ_TOPK, pull mode's next request (the
;; walk answers a block or a neighbor list with it), else DONE.
(func $dispatch_message (result i32)
  (local $type i32) (local $len i32) (local $status i32) (local $pulled i32)
  (local.set $type (i32.load16_u (i32.const @IO_PTR)))
  (local.set $len (i32.load16_u offset=@MSG_LENGTH (i32.const @IO_PTR)))
  (local.set $status
    (block $handled (result i32)
      (global.set $reply_value (local.get $type))
      (drop (br_if $handled (i32.const @ERR_BAD_MSG_TYPE)
        (i32.ge_u (i32.sub (local.get $type) (i32.const @MSG_LOAD_QUERY)) (i32.const @MSG_HUB_TYPES))))
      (global.set $reply_value (local.get $len)) ;; kept for the handler (above)
      (drop (br_if $handled (i32.const @ERR_BAD_MSG_LENGTH) (i32.gt_u (local.get $len) (i32.const @MSG_MAX_PAYLOAD))))
      (block $reset
      (block $topk
      (block $compute
      (block $params
      (block $neighbors
      (block $block
      (block $query
        (br_table $query $block $neighbors $params $compute $topk $reset
          (i32.sub (local.get $type) (i32.const @MSG_LOAD_QUERY))))
        (br $handled (call $on_load_query (local.get $len))))
        (br $handled (call $on_load_block (local.get $len))))
        (br $handled (call $on_load_neighbors (local.get $len))))
        (br $handled (call $on_load_params (local.get $len))))
        (br $handled (call $on_compute (local.get $len))))
        (br $handled (call $on_read_topk (local.get $len))))
      (call $on_reset (local.get $len))))
  (if (i32.eqz (local.get $status))
    (then
      (if (i32.eq (local.get $type) (i32.const @MSG_READ_TOPK)) (then (return (call $topk_reply))))
      (if (local.tee $pulled (call $pull_on (local.get $type))) (then (return (local.get $pulled))))))
  (call $msg_reply (select (i32.const @MSG_ERROR) (i32.const @MSG_DONE) (local.get $status))
    (select (i32.or (local.get $status) (i32.shl (local.get $type) (i32.const 16))) (local.get $type) (local.get $status))
    (global.get $reply_value)))

;; LOAD_QUERY {u8 dtype, u8 metric, u8 k, u8 flags, u16 dim, u16 0, vector}. The Hot image
;; also takes a query in chunks (u16 offset instead of 0; wat/hot/10-query-chunks.wat).
(func $on_load_query (param $len i32) (result i32)
  (local $dtype i32) (local $dim i32) (local $raw i32) (local $metric i32) (local $k i32)
;;#if hot
  (local $src i32)
;;#endif
  (if (i32.lt_u (local.get $len) (i32.const @LQ_HEADER_BYTES))
    (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
  (local.set $dtype (i32.load8_u offset=@LQ_DTYPE (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $dtype))
  (if (call $vec_bad_dtype (local.get $dtype))
    (then (return (i32.const @ERR_BAD_DTYPE))))
  (local.set $dim (i32.load16_u offset=@LQ_DIM (i32.const @MSG_PAYLOAD_PTR)))
  (local.set $raw (call $vec_raw_bytes (local.get $dtype) (local.get $dim)))
  (global.set $reply_value (local.get $dim))
  (if (i32.eqz (local.get $raw))
    (then (return (i32.const @ERR_BAD_DIM))))
  ;; The metric must suit the dtype, as in rvf_distances ($metric_bad).
  (local.set $metric (i32.load8_u offset=@LQ_METRIC (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $metric))
  (if (call $metric_bad (local.get $dtype) (local.get $metric))
    (then (return (i32.const @ERR_BAD_METRIC))))
  (local.set $k (i32.load8_u offset=@LQ_K (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $k))
  (if (i32.ge_u (i32.sub (local.get $k) (i32.const 1)) (i32.const @TOPK_MAX))
    (then (return (i32.const @ERR_BAD_K))))
;;#if hot
  (local.set $src (call $lq_chunk (local.get $len) (local.get $raw)))
  (if (i32.lt_u (local.get $src) (i32.const @DATA_BASE)) (then (return (local.get $src))))
;;#else
  (global.set $reply_value (local.get $len))
  (if (i32.ne (local.get $len) (i32.add (local.get $raw) (i32.const @LQ_HEADER_BYTES)))
    (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
;;#endif
  ;; Valid. A new dtype or dim drops the resident and the staged block: their stride
  ;; was computed for the old one.
  (if (i32.or (i32.ne (local.get $dtype) (i32.load8_u offset=@CFG_DTYPE (i32.const @CONFIG_PTR)))
              (i32.ne (local.get $dim) (i32.load16_u offset=@CFG_DIM (i32.const @CONFIG_PTR))))
    (then
      (call $st_set (i32.const @ST_BLOCK_COUNT) (i32.const 0))
      (call $st_set (i32.const @ST_CHUNK_BYTES) (i32.const 0))))
  ;; dtype, metric, k sit in the same order in the payload and the config.
  (memory.copy (i32.add (i32.const @CONFIG_PTR) (i32.const @CFG_DTYPE)) (i32.const @MSG_PAYLOAD_PTR) (i32.const 3))
  (i32.store16 offset=@CFG_DIM (i32.const @CONFIG_PTR) (local.get $dim))
  ;; A new query starts: empty top-K, no greedy walk, PQ tables stale.
  (call $st_set (i32.const @ST_TOPK_LEN) (i32.const 0))
  (call $st_set (i32.const @ST_CUR_SET) (i32.const 0))
  (call $st_set (i32.const @ST_PQ_TABLES) (i32.const 0))
  (call $pull_begin)
  (global.set $reply_value (i32.const 0))
;;#if hot
  (call $rvf_load_query (local.get $src) (local.get $dim)))
;;#else
  (call $rvf_load_query (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LQ_HEADER_BYTES)) (local.get $dim)))
;;#endif

;; LOAD_NEIGHBORS {u64 node, u32 layer, u32 0, u32 count, u32 0, u64 ids[count]}.
(func $on_load_neighbors (param $len i32) (result i32)
  (local $count i32)
  (local.set $count (i32.load offset=@LN_COUNT (i32.const @MSG_PAYLOAD_PTR)))
  (if (i32.or (i32.lt_u (local.get $len) (i32.const @LN_HEADER_BYTES))
        (i32.or (i32.and (local.get $len) (i32.const 7)) ;; whole u64 ids
          (i32.ne (i32.shr_u (i32.sub (local.get $len) (i32.const @LN_HEADER_BYTES)) (i32.const 3)) (local.get $count))))
    (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
  (global.set $reply_value (local.get $count))
  (call $rvf_load_neighbors (i64.load offset=@LN_NODE_ID (i32.const @MSG_PAYLOAD_PTR))
    (i32.load offset=@LN_LAYER (i32.const @MSG_PAYLOAD_PTR))
    (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LN_RECORD))))

;; LOAD_PARAMS: one chunk of an SQ-params stream (f32 min, f32 scale per dim). Kind 2 (PQ
;; codebook) is refused: no tile takes 8-bit PQ codebooks by message. The Hot image takes
;; kind 3, PQ 6-bit codebook pieces ($on_pq6_piece); the Core image refuses it too.
(func $on_load_params (param $len i32) (result i32)
  (local $n i32) (local $kind i32) (local $dim i32) (local $total i32) (local $declared i32)
  (local $off i32) (local $final i32) (local $staged i32)
  (if (i32.lt_u (local.get $len) (i32.const @LP_HEADER_BYTES))
    (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
  (local.set $n (i32.sub (local.get $len) (i32.const @LP_HEADER_BYTES)))
  (local.set $kind (i32.load8_u offset=@LP_KIND (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $kind))
;;#if hot
  ;; Kind 3: a piece of a 6-bit PQ codebook (wat/hot/30-pq6.wat).
  (if (i32.eq (local.get $kind) (i32.const @LP_KIND_PQ6))
    (then (return (call $on_pq6_piece (local.get $n)))))
;;#endif
  (if (i32.ne (local.get $kind) (i32.const @LP_KIND_SQ))
    (then (return (i32.const @ERR_INVALID_PARAMS))))
  (local.set $dim (i32.load16_u offset=@LP_A (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $dim))
  (if (i32.ge_u (i32.sub (local.get $dim) (i32.const 1)) (i32.const @MAX_DIM_FP16))
    (then (return (i32.const @ERR_BAD_DIM))))
  (local.set $total (i32.shl (local.get $dim) (i32.const 3))) ;; f32 min + f32 scale per dim
  (local.set $declared (i32.load offset=@LP_TOTAL_BYTES (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $declared))
  (if (i32.ne (local.get $declared) (local.get $total))
    (then (return (i32.const @ERR_INVALID_PARAMS))))
  ;; Chunks arrive in order: offset 0 starts a stream, any other continues the staged one.
  (local.set $off (i32.load offset=@LP_OFFSET (i32.const @MSG_PAYLOAD_PTR)))
  (local.set $final (i32.and (i32.load8_u offset=@LP_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LP_F_FINAL)))
  (global.set $reply_value (local.get $off))
  (if (i32.or
        (i32.and (i32.ne (local.get $off) (i32.const 0))
          (i32.ne (i32.or (local.get $off) (i32.shl (local.get $kind) (i32.const @PARAM_STAGE_KIND_SHIFT)))
                  (call $st_get (i32.const @ST_PARAM_STAGE))))
        (select (i32.ne (i32.add (local.get $off) (local.get $n)) (local.get $total))
                (i32.gt_u (i32.add (local.get $off) (local.get $n)) (local.get $total))
                (local.get $final)))
    (then (return (i32.const @ERR_BAD_OFFSET))))
  (memory.copy (i32.add (i32.const @SQ_PTR) (local.get $off))
    (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LP_HEADER_BYTES)) (local.get $n))
  (call $work (i32.const @WK_IO_BYTES) (local.get $n))
  (local.set $staged (i32.add (local.get $off) (local.get $n)))
  (global.set $reply_value (local.get $staged))
  ;; FINAL closes the stream (stage 0: only offset 0 may follow).
  (call $st_set (i32.const @ST_PARAM_STAGE)
    (select (i32.const 0) (i32.or (local.get $staged) (i32.shl (local.get $kind) (i32.const @PARAM_STAGE_KIND_SHIFT)))
      (local.get $final)))
  (if (result i32) (local.get $final)
    (then (call $rvf_load_sq_params (i32.const @SQ_PTR) (local.get $dim)))
    (else (i32.const @OK))))

;; COMPUTE {u8 metric, u8 k, u8 flags, u8 0}: the resident block against the loaded query.
(func $on_compute (param $len i32) (result i32)
  (local $crc i32)
  (if (i32.ne (local.get $len) (i32.const @CMP_BYTES))
    (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
  (if (i32.and (i32.load8_u offset=@CMP_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @CMP_F_VERIFY_CRC))
    (then
      ;; Re-verify the resident block as LOAD_BLOCK staged it (a dequantized block's
      ;; codes may have been overwritten by its expansion: not re-verifiable).
      (global.set $reply_value (i32.const 0))
      (if (i32.eqz (call $st_get (i32.const @ST_BLOCK_COUNT)))
        (then (return (i32.const @ERR_NO_BLOCK))))
      (if (i32.and (call $st_get (i32.const @ST_CHUNK_DTYPE)) (i32.const @CHUNK_F_DEQUANT))
        (then (return (i32.const @ERR_NOT_IMPLEMENTED))))
      (local.set $crc (call $crc32c (i32.const @BLOCK_PTR) (call $st_get (i32.const @ST_CHUNK_BYTES))))
      (global.set $reply_value (local.get $crc))
      (if (i32.ne (local.get $crc) (call $st_get (i32.const @ST_CHUNK_CRC)))
        (then (return (i32.const @ERR_CRC_MISMATCH))))))
  (global.set $reply_value (call $st_get (i32.const @ST_BLOCK_COUNT)))
  (call $compute_and_merge (i32.load8_u offset=@CMP_METRIC (i32.const @MSG_PAYLOAD_PTR))
    (i32.load8_u offset=@CMP_K (i32.const @MSG_PAYLOAD_PTR))))

;; READ_TOPK {}: answered with TOPK_RESULT ($topk_reply).
(func $on_read_topk (param $len i32) (result i32)
  (select (i32.const @ERR_BAD_MSG_LENGTH) (i32.const @OK) (local.get $len)))

;; TOPK_RESULT {u32 count, u32 0, count x 16 B entries}; returns its length.
(func $topk_reply (result i32)
  (local $count i32) (local $bytes i32)
  (local.set $count (call $st_get (i32.const @ST_TOPK_LEN)))
  (drop (call $rvf_topk_read (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @TOPK_RESULT_HEADER_BYTES))))
  (local.set $bytes (i32.add (i32.const @TOPK_RESULT_HEADER_BYTES) (i32.shl (local.get $count) (i32.const 4))))
  (i32.store (i32.const @IO_PTR) (i32.or (i32.const @MSG_TOPK_RESULT) (i32.shl (local.get $bytes) (i32.const 16))))
  (i64.store (i32.const @MSG_PAYLOAD_PTR) (i64.extend_i32_u (local.get $count)))
  (i32.add (local.get $bytes) (i32.const @MSG_HEADER_BYTES)))

;; RESET {}: forget query, blocks, staged chunks, top-K, greedy walk; keep config and params.
(func $on_reset (param $len i32) (result i32)
  (if (local.get $len)
    (then (return (i32.const @ERR_BAD_MSG_LENGTH))))
  (memory.fill (i32.const @STATE_PTR) (i32.const 0) (i32.const @ST_TOPK_K))
  (call $st_set (i32.const @ST_TOPK_LEN) (i32.const 0))
  (call $st_set (i32.const @ST_PQ_TABLES) (i32.const 0))
  (call $st_set (i32.const @ST_PARAM_STAGE) (i32.const 0))
  (call $st_set (i32.const @ST_CHUNK_BYTES) (i32.const 0))
  (call $st_set (i32.const @ST_CHUNK_COUNT) (i32.const 0))
  (call $st_set (i32.const @ST_CUR_SET) (i32.const 0))
;;#if hot
  (call $st_set (i32.const @ST_QUERY_STAGED) (i32.const 0))
;;#endif
  (global.set $reply_value (i32.const 0))
  (i32.const @OK))
