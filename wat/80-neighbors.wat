;; HNSW navigation (docs/format.md "Neighbor lists and the greedy step").

;; rvf_load_neighbors(node_id, layer, list_ptr): list_ptr (the spec's out_ptr, read as
;; the record's address: the tile has nowhere else to get the list from) holds
;; {u32 count, u32 reserved, u64 ids[count]} inside the tile; count <= @NEIGHBOR_BYTES / 8.
;; The ids are copied to @NEIGHBOR_PTR (memmove) and the cache is tagged (node, layer).
(func $rvf_load_neighbors (export "rvf_load_neighbors") (param $node i64) (param $layer i32) (param $p i32) (result i32)
  (local $n i32)
  (if (i32.eqz (call $range_ok (local.get $p) (i32.const 8))) (then (return (i32.const @ERR_BAD_POINTER))))
  (local.set $n (i32.load (local.get $p)))
  (if (i32.gt_u (local.get $n) (i32.shr_u (i32.const @NEIGHBOR_BYTES) (i32.const 3)))
    (then (return (i32.const @ERR_BAD_COUNT))))
  (local.set $p (i32.add (local.get $p) (i32.const 8)))
  (if (i32.eqz (call $range_ok (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (then (return (i32.const @ERR_BAD_POINTER))))
  (memory.copy (i32.const @NEIGHBOR_PTR) (local.get $p) (i32.shl (local.get $n) (i32.const 3)))
  (call $work (i32.const @WK_IO_BYTES) (i32.shl (local.get $n) (i32.const 3)))
  (i64.store offset=@ST_NEIGHBOR_NODE (i32.const @STATE_PTR) (local.get $node))
  (call $st_set (i32.const @ST_NEIGHBOR_LAYER) (local.get $layer))
  (call $st_set (i32.const @ST_NEIGHBOR_COUNT) (local.get $n))
  (call $st_set (i32.const @ST_NEIGHBOR_SET) (i32.const 1))
  (i32.const @OK))

;; rvf_greedy_step(current_id, layer) -> next id, or -1 with @ST_LAST_STATUS set.
;; Needs the cached list of (current_id, layer), a query and, when the list is not empty,
;; the loaded block holding exactly those neighbors' vectors in list order. Distances use
;; the config metric into @DIST_PTR and are merged (config k) into the top-K with the
;; list's ids, so the result buffer holds every candidate seen. Moves to the neighbor
;; with the smallest (distance key, id) when it is strictly closer than the current node,
;; whose distance is known only if @ST_CUR_SET and @ST_CUR_ID = current_id (else +inf:
;; the first step always moves unless the list is empty). A move is recorded in
;; @ST_CUR_ID/@ST_CUR_DIST/@ST_CUR_SET.
(func $rvf_greedy_step (export "rvf_greedy_step") (param $cur i64) (param $layer i32) (result i64)
  (local $s i32) (local $n i32) (local $k i32) (local $i i32) (local $key i32) (local $bkey i32) (local $bi i32)
  (local $id i64) (local $bid i64)
  (block $fail
    (local.set $s (i32.const @ERR_UNKNOWN_NODE))
    (br_if $fail (i32.or (i32.eqz (call $st_get (i32.const @ST_NEIGHBOR_SET)))
      (i32.or (i64.ne (i64.load offset=@ST_NEIGHBOR_NODE (i32.const @STATE_PTR)) (local.get $cur))
              (i32.ne (call $st_get (i32.const @ST_NEIGHBOR_LAYER)) (local.get $layer)))))
    (local.set $s (i32.const @ERR_NO_QUERY))
    (br_if $fail (i32.eqz (call $st_get (i32.const @ST_QUERY_DIM))))
    (local.set $bid (local.get $cur))
    (local.set $n (call $st_get (i32.const @ST_NEIGHBOR_COUNT)))
    (if (local.get $n)
      (then
        (local.set $s (i32.const @ERR_NO_BLOCK))
        (br_if $fail (i32.eqz (call $st_get (i32.const @ST_BLOCK_COUNT))))
        (local.set $s (i32.const @ERR_BAD_COUNT))
        (br_if $fail (i32.ne (call $st_get (i32.const @ST_BLOCK_COUNT)) (local.get $n)))
        (local.set $k (i32.load8_u offset=@CFG_K (i32.const @CONFIG_PTR)))
        (local.set $s (i32.const @ERR_BAD_K))
        (br_if $fail (i32.ge_u (i32.sub (local.get $k) (i32.const 1)) (i32.const @TOPK_MAX)))
        (br_if $fail (local.tee $s (call $rvf_distances (i32.load8_u offset=@CFG_METRIC (i32.const @CONFIG_PTR)) (i32.const @DIST_PTR))))
        (br_if $fail (local.tee $s (call $rvf_topk_merge (i32.const @DIST_PTR) (i32.const @NEIGHBOR_PTR) (local.get $n) (local.get $k))))
        ;; best neighbor by (key, id); -1 / 0xFFFFFFFF start above every real pair
        (local.set $bkey (i32.const -1))
        (local.set $bid (i64.const -1))
        (loop $nb
          (local.set $key (call $topk_key (i32.load (i32.add (i32.const @DIST_PTR) (i32.shl (local.get $i) (i32.const 2))))))
          (local.set $id (i64.load (i32.add (i32.const @NEIGHBOR_PTR) (i32.shl (local.get $i) (i32.const 3)))))
          (if (i32.or (i32.lt_u (local.get $key) (local.get $bkey))
                      (i32.and (i32.eq (local.get $key) (local.get $bkey)) (i64.lt_u (local.get $id) (local.get $bid))))
            (then (local.set $bkey (local.get $key)) (local.set $bid (local.get $id)) (local.set $bi (local.get $i))))
          (br_if $nb (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        ;; move only when strictly closer than a known current distance
        (if (i32.and (call $st_get (i32.const @ST_CUR_SET))
                     (i64.eq (i64.load offset=@ST_CUR_ID (i32.const @STATE_PTR)) (local.get $cur)))
          (then
            (if (i32.ge_u (local.get $bkey) (call $topk_key (call $st_get (i32.const @ST_CUR_DIST))))
              (then (local.set $bid (local.get $cur))))))
        (if (i64.ne (local.get $bid) (local.get $cur))
          (then
            (i64.store offset=@ST_CUR_ID (i32.const @STATE_PTR) (local.get $bid))
            (call $st_set (i32.const @ST_CUR_DIST) (i32.load (i32.add (i32.const @DIST_PTR) (i32.shl (local.get $bi) (i32.const 2)))))
            (call $st_set (i32.const @ST_CUR_SET) (i32.const 1))))))
    (call $st_set (i32.const @ST_LAST_STATUS) (i32.const @OK))
    (return (local.get $bid)))
  (call $st_set (i32.const @ST_LAST_STATUS) (local.get $s))
  (i64.const -1))
