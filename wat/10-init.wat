;; rvf_init(config_ptr): take the 64 B tile configuration and start from fresh state.
;; Config layout (docs/memory-map.md): +0 u32 tile_id, +4 u8 profile_id (1 core, 2 hot),
;; +5..+63 reserved. Any other profile is refused: a Core tile cannot serve Full files.
(func $rvf_init (export "rvf_init") (param $config_ptr i32) (result i32)
  (local $profile i32)
  (if (i32.eqz (call $range_ok (local.get $config_ptr) (i32.const @CONFIG_BYTES)))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (local.set $profile (i32.load8_u offset=4 (local.get $config_ptr)))
  (if (i32.or (i32.eqz (local.get $profile)) (i32.gt_u (local.get $profile) (i32.const 2)))
    (then (return (i32.const @ERR_INVALID_PARAMS))))
  (memory.copy (i32.const @CONFIG_PTR) (local.get $config_ptr) (i32.const @CONFIG_BYTES))
  ;; Fresh state: no query, no block, an empty top-K.
  (memory.fill (i32.const @STATE_PTR) (i32.const 0) (i32.const @STATE_BYTES))
  (memory.fill (i32.const @RESULT_PTR) (i32.const 0) (i32.const @RESULT_BYTES))
  (call $crc32c_table_init)
  (i32.const @OK))
