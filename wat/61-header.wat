;; rvf_verify_header(header_ptr) -> status. cogsim's 64-byte segment header is the
;; public RVF layout with checksum_algo 3 = CRC32C (docs/format.md):
;;   0x00 magic u32 0x52564653   0x04 version u8 = 1   0x05 seg_type u8
;;   0x20 checksum_algo u8 = 3   0x21 compression u8 = 0   0x22 profile_id u8 = 1 (core)
;;   0x24 header_crc u32 = CRC32C of bytes 0x00..0x23 then 0x28..0x3F
;;   0x10 payload_length u64     0x28 content_hash: payload CRC32C in its first 4 bytes
;; The payload is the payload_length bytes after the header and must lie inside the tile.
;; The header is only read: this export writes nothing.
(func $rvf_verify_header (export "rvf_verify_header") (param $h i32) (result i32)
  (local $type i32)
  (if (i32.eqz (call $range_ok (local.get $h) (i32.const 64)))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (local.set $type (i32.load8_u offset=5 (local.get $h)))
  (if
    (i32.or
      (i32.or
        (i32.ne (i32.load (local.get $h)) (i32.const 0x52564653))
        (i32.ne (i32.load8_u offset=4 (local.get $h)) (i32.const 1)))
      (i32.or
        (i32.or
          ;; known types: Vec 0x01, Index 0x02, Manifest 0x05, Meta 0x07 (bits of 0xA6), Wasm 0x10
          (i32.eqz (i32.or (i32.eq (local.get $type) (i32.const 0x10))
                           (i32.and (i32.lt_u (local.get $type) (i32.const 8))
                                    (i32.shr_u (i32.const 0xA6) (local.get $type)))))
          ;; checksum_algo 3 with compression 0 (one u16), then profile_id 1 (core)
          (i32.or (i32.ne (i32.load16_u offset=32 (local.get $h)) (i32.const 3))
                  (i32.ne (i32.load8_u offset=34 (local.get $h)) (i32.const 1))))
        (i32.or
          (i32.ne (i32.load offset=36 (local.get $h))
            (i32.xor (i32.const -1)
              (call $crc32c_run
                (call $crc32c_run (i32.const -1) (local.get $h) (i32.const 36))
                (i32.add (local.get $h) (i32.const 40)) (i32.const 24))))
          ;; payload_length: below 2^32 and inside the tile after the header
          (i32.or (i32.load offset=20 (local.get $h))
            (i32.eqz (call $range_ok (i32.add (local.get $h) (i32.const 64)) (i32.load offset=16 (local.get $h))))))))
    (then (return (i32.const @ERR_BAD_HEADER))))
  (if (i32.ne (i32.load offset=40 (local.get $h))
        (call $crc32c (i32.add (local.get $h) (i32.const 64)) (i32.load offset=16 (local.get $h))))
    (then (return (i32.const @ERR_CRC_MISMATCH))))
  (i32.const @OK))
