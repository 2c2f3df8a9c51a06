;; rvf_on_message(): the hub's entry point. Messages may carry a CRC32C trailer (type bit
;; @MSG_F_CRC, or always when the config sets @CFG_F_REQUIRE_MSG_CRC): the u32 after the
;; payload covers the header and payload. A mismatch is answered with ERROR BAD_MSG_CRC and
;; nothing else happens; a good message is dispatched and its reply sealed the same way,
;; so corruption on the link is caught in both directions (docs/protocol.md "Integrity").
;; The last sealed reply is kept (at @TEMP_PTR) so a re-sent request is answered again
;; rather than run twice.

;; Appends the CRC32C of the reply's first $len bytes and marks its type; returns the new length.
(func $seal_reply (param $len i32) (result i32)
  (i32.store16 (i32.const @IO_PTR) (i32.or (i32.load16_u (i32.const @IO_PTR)) (i32.const @MSG_F_CRC)))
  (i32.store (i32.add (i32.const @IO_PTR) (local.get $len)) (call $crc32c (i32.const @IO_PTR) (local.get $len)))
  (i32.add (local.get $len) (i32.const @MSG_CRC_BYTES)))

(func $rvf_on_message (export "rvf_on_message") (result i32)
  (local $t i32) (local $end i32)
  (call $work (i32.const @WK_MESSAGES) (i32.const 1))
  (local.set $t (i32.load16_u (i32.const @IO_PTR)))
  (if (i32.eqz (i32.or (i32.and (local.get $t) (i32.const @MSG_F_CRC))
                       (i32.and (i32.load8_u offset=@CFG_FLAGS (i32.const @CONFIG_PTR)) (i32.const @CFG_F_REQUIRE_MSG_CRC))))
    (then (return (call $dispatch_message))))
  (local.set $t (i32.and (local.get $t) (i32.const @MSG_TYPE_MASK)))
  (local.set $end (i32.add (i32.load16_u offset=@MSG_LENGTH (i32.const @IO_PTR)) (i32.const @MSG_HEADER_BYTES)))
  (if (i32.gt_u (local.get $end) (i32.sub (i32.const @IO_BYTES) (i32.const @MSG_CRC_BYTES)))
    (then (return (call $seal_reply
      (call $msg_reply (i32.const @MSG_ERROR) (i32.or (i32.const @ERR_BAD_MSG_LENGTH) (i32.shl (local.get $t) (i32.const 16)))
        (i32.sub (local.get $end) (i32.const @MSG_HEADER_BYTES)))))))
  (if (i32.ne (call $crc32c (i32.const @IO_PTR) (local.get $end)) (i32.load (i32.add (i32.const @IO_PTR) (local.get $end))))
    (then (return (call $seal_reply
      (call $msg_reply (i32.const @MSG_ERROR) (i32.or (i32.const @ERR_BAD_MSG_CRC) (i32.shl (local.get $t) (i32.const 16))) (i32.const 0))))))
;; A sealed request that repeats the last one's msg_id is a re-send after a lost or
  ;; garbled reply: answer it again from the kept copy, without running it twice (a pull
  ;; walk's step is not idempotent). Only authentic (CRC-checked) requests get here.
  (if (i32.and (i32.eq (i32.load offset=@MSG_ID (i32.const @IO_PTR)) (call $st_get (i32.const @ST_LAST_MSG_ID)))
               (i32.ne (local.tee $end (call $st_get (i32.const @ST_LAST_REPLY_LEN))) (i32.const 0)))
    (then
      (memory.copy (i32.const @IO_PTR) (i32.const @TEMP_PTR) (local.get $end))
      (call $work (i32.const @WK_IO_BYTES) (local.get $end))
      (return (local.get $end))))
  (i32.store16 (i32.const @IO_PTR) (local.get $t))
  (local.set $end (call $seal_reply (call $dispatch_message)))
  (call $st_set (i32.const @ST_LAST_MSG_ID) (i32.load offset=@MSG_ID (i32.const @IO_PTR)))
  (call $st_set (i32.const @ST_LAST_REPLY_LEN) (local.get $end))
  (memory.copy (i32.const @TEMP_PTR) (i32.const @IO_PTR) (local.get $end))
  (call $work (i32.const @WK_IO_BYTES) (local.get $end))
  (local.get $end))
