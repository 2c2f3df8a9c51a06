;; Hot image only (docs/protocol.md "Query chunks"): LOAD_QUERY in chunks. A 1,024-dim fp16
;; query is 2,048 B, more than one message's 2,040 B payload, so the hub may send a query as
;; chunks: each carries the usual header (dtype, metric, k, flags, dim, all validated as for
;; a whole query) with @LQ_OFFSET = the byte offset of its part of the raw vector and flag
;; @LQ_F_MORE on every chunk but the last. Chunks arrive in order; they are staged at
;; @HOT_IMAGE_QUERY_STAGE_PTR (the query area's upper half) and the last one loads the
;; whole vector from there, as a whole LOAD_QUERY loads it from its payload.

;; The raw vector's address once it is whole (the payload, or the staging area after the
;; last chunk), or a status below @DATA_BASE: @OK after a chunk that is not the last, an
;; error before anything is written. $raw: the vector's raw bytes for the header's dtype
;; and dim (at most 2,048 B in this image).
(func $lq_chunk (param $len i32) (param $raw i32) (result i32)
  (local $off i32) (local $n i32) (local $more i32) (local $end i32)
  (local.set $off (i32.load16_u offset=@LQ_OFFSET (i32.const @MSG_PAYLOAD_PTR)))
  (local.set $more (i32.and (i32.load8_u offset=@LQ_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LQ_F_MORE)))
  (local.set $n (i32.sub (local.get $len) (i32.const @LQ_HEADER_BYTES))) ;; len >= the header: checked
  (local.set $end (i32.add (local.get $off) (local.get $n))) ;; u16 + at most 2,040: no wrap
  ;; A whole query: exactly the vector, as in the Core image.
  (if (i32.eqz (i32.or (local.get $off) (local.get $more)))
    (then
      (global.set $reply_value (local.get $len))
      (return (select (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LQ_HEADER_BYTES)) (i32.const @ERR_BAD_MSG_LENGTH)
        (i32.eq (local.get $n) (local.get $raw))))))
  ;; A chunk starts the vector (offset 0) or continues where staging ends; a chunk with MORE
  ;; ends inside the vector, the last one exactly at its end (so staging stays in the
  ;; 2 KB stage area).
  (global.set $reply_value (local.get $off))
  (if (i32.or
        (i32.and (i32.ne (local.get $off) (i32.const 0)) (i32.ne (local.get $off) (call $st_get (i32.const @ST_QUERY_STAGED))))
        (select (i32.ge_u (local.get $end) (local.get $raw)) (i32.ne (local.get $end) (local.get $raw)) (local.get $more)))
    (then (return (i32.const @ERR_BAD_OFFSET))))
  (memory.copy (i32.add (i32.const @HOT_IMAGE_QUERY_STAGE_PTR) (local.get $off))
    (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.const @LQ_HEADER_BYTES)) (local.get $n))
  (call $work (i32.const @WK_IO_BYTES) (local.get $n))
  ;; Staging overwrites the query area's upper half: no query is loaded until the last chunk.
  (call $st_set (i32.const @ST_QUERY_DIM) (i32.const 0))
  (call $st_set (i32.const @ST_QUERY_STAGED) (select (local.get $end) (i32.const 0) (local.get $more)))
  (global.set $reply_value (local.get $end))
  (select (i32.const @OK) (i32.const @HOT_IMAGE_QUERY_STAGE_PTR) (local.get $more)))
