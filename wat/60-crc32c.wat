;; CRC32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR
;; 0xFFFFFFFF; "123456789" -> 0xE3069283. One 1 KB table (256 u32) at @CRC_TABLE_PTR,
;; built by rvf_init; byte-at-a-time lookup (slicing-by-4 would need a 4 KB table).

;; Builds table[n] = CRC of the byte n (8 shift/xor steps each).
(func $crc32c_table_init
  (local $n i32) (local $c i32) (local $b i32)
  (loop $entry
    (local.set $c (local.get $n))
    (local.set $b (i32.const 8))
    (loop $bit
      (local.set $c
        (i32.xor (i32.shr_u (local.get $c) (i32.const 1))
          (i32.and (i32.const 0x82F63B78) (i32.sub (i32.const 0) (i32.and (local.get $c) (i32.const 1))))))
      (br_if $bit (local.tee $b (i32.sub (local.get $b) (i32.const 1)))))
    (i32.store (i32.add (i32.shl (local.get $n) (i32.const 2)) (i32.const @CRC_TABLE_PTR)) (local.get $c))
    (br_if $entry (i32.ne (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.const 256)))))

;; One table step: shifts one byte out of the raw CRC state.
(func $crc32c_step (param $c i32) (result i32)
  (i32.xor (i32.shr_u (local.get $c) (i32.const 8))
    (i32.load (i32.add (i32.shl (i32.and (local.get $c) (i32.const 255)) (i32.const 2)) (i32.const @CRC_TABLE_PTR)))))

;; Runs the raw CRC state $crc over [p, p+len): no initial or final inversion, so a
;; CRC over two ranges chains (the header self-check skips its own field this way).
;; Callers have checked the range. Four bytes per iteration (one little-endian load,
;; four table steps), then the tail byte by byte. Rebuilds the table if rvf_init has not
;; run yet (table[1] is never 0), so the export is also correct on a fresh tile.
(func $crc32c_run (param $crc i32) (param $p i32) (param $len i32) (result i32)
  (if (i32.eqz (i32.load offset=4 (i32.const @CRC_TABLE_PTR))) (then (call $crc32c_table_init)))
  (call $work (i32.const @WK_CRC_BYTES) (local.get $len))
  (block $words_done
    (loop $word
      (br_if $words_done (i32.lt_u (local.get $len) (i32.const 4)))
      (local.set $crc
        (call $crc32c_step (call $crc32c_step (call $crc32c_step (call $crc32c_step
          (i32.xor (local.get $crc) (i32.load (local.get $p))))))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $len (i32.sub (local.get $len) (i32.const 4)))
      (br $word)))
  (block $bytes_done
    (loop $byte
      (br_if $bytes_done (i32.eqz (local.get $len)))
      (local.set $crc (call $crc32c_step (i32.xor (local.get $crc) (i32.load8_u (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br $byte)))
  (local.get $crc))

;; CRC32C of [p, p+len) (range already checked): for the dispatcher and the header check.
(func $crc32c (param $p i32) (param $len i32) (result i32)
  (i32.xor (call $crc32c_run (i32.const -1) (local.get $p) (local.get $len)) (i32.const -1)))

;; rvf_crc32c(data_ptr, len) -> crc. A range outside the tile returns 0 with
;; @ERR_BAD_POINTER in the state's last-status field (else @OK): 0 is also a real CRC.
(func $rvf_crc32c (export "rvf_crc32c") (param $p i32) (param $len i32) (result i32)
  (if (i32.eqz (call $range_ok (local.get $p) (local.get $len)))
    (then
      (call $st_set (i32.const @ST_LAST_STATUS) (i32.const @ERR_BAD_POINTER))
      (return (i32.const 0))))
  (call $st_set (i32.const @ST_LAST_STATUS) (i32.const @OK))
  (call $crc32c (local.get $p) (local.get $len)))
