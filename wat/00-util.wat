;; Shared helpers. Every export checks its pointers with $range_ok before touching
;; memory, so a bad argument is a status code, never a write outside the tile.

;; 1 when [ptr, ptr+len) lies inside the tile: the data window and the scratch window
;; are contiguous, [@DATA_BASE, @MEMORY_BYTES). Computed in i64 so ptr+len cannot wrap.
(func $range_ok (param $ptr i32) (param $len i32) (result i32)
  (i32.and
    (i32.ge_u (local.get $ptr) (i32.const @DATA_BASE))
    (i64.le_u
      (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $len)))
      (i64.const @MEMORY_BYTES))))

;; Kernel state lives in the data window's 192 B state region (@STATE_PTR).
(func $st_get (param $field i32) (result i32)
  (i32.load (i32.add (local.get $field) (i32.const @STATE_PTR))))
(func $st_set (param $field i32) (param $v i32)
  (i32.store (i32.add (local.get $field) (i32.const @STATE_PTR)) (local.get $v)))

;; Adds $n to the work counter at @WORK_PTR + $counter (one of the WK_* offsets): u32, wrapping.
;; Called where the work happens, after the checks that can refuse it, in both builds alike;
;; the simulator charges cycles from the counters' deltas (docs/memory-map.md "Work counters").
(func $work (param $counter i32) (param $n i32)
  (i32.store offset=@WORK_PTR (local.get $counter)
    (i32.add (i32.load offset=@WORK_PTR (local.get $counter)) (local.get $n))))
