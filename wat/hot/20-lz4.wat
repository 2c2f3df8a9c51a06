;; LZ4 block decoding (Hot image only; lz4's doc/lz4_Block_format.md). A block is a run of
;; sequences: a token (high nibble literal length, low nibble match length - 4; 15 means
;; "add the bytes that follow, while they are 255"), the literals, a u16 little-endian
;; match offset (1..65,535 back from the output position), the match length's extension.
;; The last sequence is literals only; the last match starts at least @LZ4_MFLIMIT bytes
;; before the block's end and ends at least @LZ4_LAST_LITERALS before it.
;;
;; Every read is checked against the source's end and every write against the
;; destination's end, and a match may reach back only to $window (<= dst): malformed input
;; is a status, never an access outside [src, src+len) or [window, dst+dst_len). The block
;; is walked twice, first without writing, so a refused block changes no byte of the tile.

;; The input offset of the sequence being decoded: the ERROR reply's detail on a refusal.
(global $lz4_at (mut i32) (i32.const 0))
;; Sequences the last walk decoded (charged per sequence, docs/cost-model.md).
(global $lz4_seqs (mut i32) (i32.const 0))

;; Reads an LZ4 length extension at $ip: adds bytes while they are 255. Returns the new
;; input position, or 0 when the input ends first ($len is left in the global below).
(global $lz4_len (mut i32) (i32.const 0))
(func $lz4_ext (param $ip i32) (param $iend i32) (result i32)
  (local $b i32)
  (loop $more
    (if (i32.ge_u (local.get $ip) (local.get $iend)) (then (return (i32.const 0))))
    (local.set $b (i32.load8_u (local.get $ip)))
    (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
    (global.set $lz4_len (i32.add (global.get $lz4_len) (local.get $b)))
    (br_if $more (i32.eq (local.get $b) (i32.const 255))))
  (local.get $ip))

;; One walk over [ip, iend) decoding into [op, oend); writes only when $write is 1.
;; Returns @OK when the block decodes to exactly oend - op bytes, else the LZ4 status.
(func $lz4_walk (param $ip i32) (param $iend i32) (param $op i32) (param $oend i32)
  (param $window i32) (param $write i32) (result i32)
  (local $token i32) (local $off i32) (local $from i32) (local $src i32)
  (local.set $src (local.get $ip))
  (global.set $lz4_seqs (i32.const 0))
  (loop $sequence
    (global.set $lz4_at (i32.sub (local.get $ip) (local.get $src)))
    (if (i32.ge_u (local.get $ip) (local.get $iend)) (then (return (i32.const @ERR_LZ4_TRUNCATED))))
    (global.set $lz4_seqs (i32.add (global.get $lz4_seqs) (i32.const 1)))
    (local.set $token (i32.load8_u (local.get $ip)))
    (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
    ;; Literals: length, then the bytes, both inside their regions.
    (global.set $lz4_len (i32.shr_u (local.get $token) (i32.const 4)))
    (if (i32.eq (global.get $lz4_len) (i32.const 15))
      (then
        (if (i32.eqz (local.tee $ip (call $lz4_ext (local.get $ip) (local.get $iend))))
          (then (return (i32.const @ERR_LZ4_TRUNCATED))))))
    (if (i32.gt_u (global.get $lz4_len) (i32.sub (local.get $iend) (local.get $ip)))
      (then (return (i32.const @ERR_LZ4_TRUNCATED))))
    (if (i32.gt_u (global.get $lz4_len) (i32.sub (local.get $oend) (local.get $op)))
      (then (return (i32.const @ERR_LZ4_OVERFLOW))))
    (if (local.get $write)
      (then (memory.copy (local.get $op) (local.get $ip) (global.get $lz4_len))))
    (local.set $ip (i32.add (local.get $ip) (global.get $lz4_len)))
    (local.set $op (i32.add (local.get $op) (global.get $lz4_len)))
    ;; The input ends after literals: the last sequence. The output must be complete.
    (if (i32.eq (local.get $ip) (local.get $iend))
      (then (return (select (i32.const @OK) (i32.const @ERR_LZ4_OVERFLOW) (i32.eq (local.get $op) (local.get $oend))))))
    ;; A match follows: it starts at least MFLIMIT bytes before the end.
    (if (i32.lt_u (i32.sub (local.get $oend) (local.get $op)) (i32.const @LZ4_MFLIMIT))
      (then (return (i32.const @ERR_LZ4_END_RULES))))
    (if (i32.lt_u (i32.sub (local.get $iend) (local.get $ip)) (i32.const 2))
      (then (return (i32.const @ERR_LZ4_TRUNCATED))))
    (local.set $off (i32.load16_u (local.get $ip)))
    (local.set $ip (i32.add (local.get $ip) (i32.const 2)))
    ;; Offset 0, or one reaching before the window, is refused.
    (if (i32.or (i32.eqz (local.get $off)) (i32.gt_u (local.get $off) (i32.sub (local.get $op) (local.get $window))))
      (then (return (i32.const @ERR_LZ4_BAD_OFFSET))))
    (global.set $lz4_len (i32.add (i32.and (local.get $token) (i32.const 15)) (i32.const @LZ4_MIN_MATCH)))
    (if (i32.eq (global.get $lz4_len) (i32.const 19))
      (then
        (if (i32.eqz (local.tee $ip (call $lz4_ext (local.get $ip) (local.get $iend))))
          (then (return (i32.const @ERR_LZ4_TRUNCATED))))))
    ;; It ends at least LAST_LITERALS bytes before the end (oend - op >= 12 here).
    (if (i32.gt_u (global.get $lz4_len) (i32.sub (i32.sub (local.get $oend) (local.get $op)) (i32.const @LZ4_LAST_LITERALS)))
      (then (return (i32.const @ERR_LZ4_END_RULES))))
    (if (local.get $write)
      (then
        (local.set $from (i32.sub (local.get $op) (local.get $off)))
        (if (i32.ge_u (local.get $off) (global.get $lz4_len))
          (then (memory.copy (local.get $op) (local.get $from) (global.get $lz4_len)))
          (else
            ;; Overlapping (offset < length): byte by byte, so the copy repeats the last
            ;; `offset` bytes, as LZ4 means (memory.copy would move the old bytes instead).
            ;; $token (no longer needed) walks the destination.
            (local.set $token (local.get $op))
            (loop $byte
              (i32.store8 (local.get $token) (i32.load8_u (local.get $from)))
              (local.set $from (i32.add (local.get $from) (i32.const 1)))
              (br_if $byte (i32.lt_u (local.tee $token (i32.add (local.get $token) (i32.const 1)))
                (i32.add (local.get $op) (global.get $lz4_len)))))))))
    (local.set $op (i32.add (local.get $op) (global.get $lz4_len)))
    (br $sequence))
  (unreachable))

;; The decoder's checked core: [src, src+src_len) and [window, dst+dst_len) lie inside the
;; tile and do not overlap (the caller has checked). A dry walk first, so a refused block
;; writes nothing; then the writing walk, and the work counted: src_len + dst_len I/O bytes
;; and the sequences. $lz4_at holds the offending sequence's offset on a refusal.
(func $lz4_decode (param $src i32) (param $src_len i32) (param $dst i32) (param $dst_len i32) (param $window i32) (result i32)
  (local $status i32) (local $iend i32) (local $oend i32)
  (local.set $iend (i32.add (local.get $src) (local.get $src_len)))
  (local.set $oend (i32.add (local.get $dst) (local.get $dst_len)))
  (if (local.tee $status (call $lz4_walk (local.get $src) (local.get $iend) (local.get $dst) (local.get $oend) (local.get $window) (i32.const 0)))
    (then (return (local.get $status))))
  (drop (call $lz4_walk (local.get $src) (local.get $iend) (local.get $dst) (local.get $oend) (local.get $window) (i32.const 1)))
  (call $work (i32.const @WK_IO_BYTES) (i32.add (local.get $src_len) (local.get $dst_len)))
  (call $st_set (i32.const @ST_LZ4_SEQUENCES) (i32.add (call $st_get (i32.const @ST_LZ4_SEQUENCES)) (global.get $lz4_seqs)))
  (i32.const @OK))

;; rvf_lz4_decompress(src, src_len, dst, dst_len, window): decodes the LZ4 block at
;; [src, src+src_len) into exactly dst_len bytes at dst; matches may reach back to window
;; (window = dst: an independent block; window < dst: the bytes before dst are its
;; dictionary, as in a chunked stream). Refuses, writing nothing: any range outside the
;; tile, window > dst, a source overlapping [window, dst+dst_len) (@ERR_BAD_POINTER); a
;; malformed block (an ERR_LZ4_* status).
(func $rvf_lz4_decompress (export "rvf_lz4_decompress") (param $src i32) (param $src_len i32)
  (param $dst i32) (param $dst_len i32) (param $window i32) (result i32)
  (global.set $lz4_at (i32.const 0))
  (if (i32.eqz (i32.and (i32.and (call $range_ok (local.get $src) (local.get $src_len)) (call $range_ok (local.get $dst) (local.get $dst_len)))
                 (i32.and (i32.le_u (local.get $window) (local.get $dst)) (i32.ge_u (local.get $window) (i32.const @DATA_BASE)))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  ;; Both ranges end inside the tile (checked above), so the sums cannot wrap.
  (if (i32.and (i32.lt_u (local.get $src) (i32.add (local.get $dst) (local.get $dst_len)))
               (i32.gt_u (i32.add (local.get $src) (local.get $src_len)) (local.get $window)))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (call $lz4_decode (local.get $src) (local.get $src_len) (local.get $dst) (local.get $dst_len) (local.get $window)))

;; LOAD_BLOCK with @LB_F_LZ4 (docs/protocol.md "LZ4 chunks"): the chunk data is {u32 decoded
;; bytes, LZ4 block}. The decoded size of a chunk of $len payload bytes, as $lb_stage takes
;; it, or minus a status: a payload too short for the size field (@ERR_BAD_MSG_LENGTH), a
;; size past the stream's $total bytes (@ERR_LZ4_OVERFLOW; $lb_stage's offset checks then
;; hold the chunk inside the stream). A plain chunk's size is its data bytes.
(func $lb_chunk_bytes (param $len i32) (param $flags i32) (param $total i32) (result i32)
  (local $n i32)
  (if (i32.eqz (i32.and (local.get $flags) (i32.const @LB_F_LZ4)))
    (then (return (i32.sub (local.get $len) (i32.const @LB_HEADER_BYTES)))))
  (global.set $reply_value (local.get $len))
  (if (i32.lt_u (local.get $len) (i32.add (i32.const @LB_HEADER_BYTES) (i32.const @LZ4_CHUNK_HEADER_BYTES)))
    (then (return (i32.const -@ERR_BAD_MSG_LENGTH))))
  (local.set $n (i32.load offset=@LB_HEADER_BYTES (i32.const @MSG_PAYLOAD_PTR)))
  (global.set $reply_value (local.get $n))
  (if (i32.gt_u (local.get $n) (local.get $total))
    (then (return (i32.const -@ERR_LZ4_OVERFLOW))))
  (local.get $n))

;; Decodes the LZ4 chunk in the I/O buffer into [dst, dst+n), matches reaching back to the
;; stream's start ($window), after $lb_stage's offset checks. A malformed block is refused
;; with its status and the offending sequence's offset as the ERROR detail, nothing
;; written. At offset 0 the decoded bytes replace the resident block and any staged stream,
;; so both are dropped before a later check (SQ params, CRC) can refuse the chunk.
(func $lb_lz4 (param $dst i32) (param $n i32) (param $window i32) (result i32)
  (local $status i32)
  (local.set $status (call $lz4_decode
    (i32.add (i32.const @MSG_PAYLOAD_PTR) (i32.add (i32.const @LB_HEADER_BYTES) (i32.const @LZ4_CHUNK_HEADER_BYTES)))
    (i32.sub (i32.load16_u offset=@MSG_LENGTH (i32.const @IO_PTR)) (i32.add (i32.const @LB_HEADER_BYTES) (i32.const @LZ4_CHUNK_HEADER_BYTES)))
    (local.get $dst) (local.get $n) (local.get $window)))
  (global.set $reply_value (global.get $lz4_at))
  (if (local.get $status) (then (return (local.get $status))))
  (if (i32.eq (local.get $dst) (local.get $window))
    (then
      (call $st_set (i32.const @ST_BLOCK_COUNT) (i32.const 0))
      (call $st_set (i32.const @ST_CHUNK_BYTES) (i32.const 0))))
  (i32.const @OK))
