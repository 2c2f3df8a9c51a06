;; Pull mode (docs/pull-mode.md): the tile walks HNSW layer 0 for the loaded query and
;; asks the hub for what it needs. W is the result buffer (k = ef entries, sorted); an
;; entry's aux is 1 once the node was expanded, so the candidate queue is W's unexpanded
;; entries. Seen ids are kept in a Bloom filter at @PULL_FILTER_PTR (two bits per id).
;;   block FINAL (merged)  -> mark its ids seen, then pick
;;   LOAD_NEIGHBORS        -> unseen ids: mark, NEED_BLOCK(ids); none: pick
;;   pick                  -> nearest unexpanded entry: mark it, NEED_NEIGHBORS(node, 0);
;;                            none left: DONE (the dispatcher's usual reply)
;; Tile-side descent (docs/pull-mode.md "Tile-side descent"): a list on layer L >= 1 is
;; stepped with rvf_greedy_step (@ST_PULL_LAYER = L while its block is awaited):
;;   LOAD_NEIGHBORS(n, L)  -> NEED_BLOCK(the whole list, in order; n itself first while its
;;                            distance is unknown: the entry point); empty: step at once
;;   block FINAL / step    -> moved to m: NEED_NEIGHBORS(m, L); stayed: NEED_NEIGHBORS(n, L-1),
;;                            after layer 1 pick (W holds every node the descent evaluated)

;; Sets the id's bit for one hash; 1 when it was clear.
(func $pull_bit (param $id i32) (param $mul i32) (result i32)
  (local $a i32) (local $m i32) (local $old i32)
  (local.set $id (i32.shr_u (i32.mul (local.get $id) (local.get $mul)) (i32.const @PULL_FILTER_SHIFT)))
  (local.set $a (i32.add (i32.const @PULL_FILTER_PTR) (i32.shr_u (local.get $id) (i32.const 3))))
  (local.set $m (i32.shl (i32.const 1) (i32.and (local.get $id) (i32.const 7))))
  (i32.store8 (local.get $a) (i32.or (local.tee $old (i32.load8_u (local.get $a))) (local.get $m)))
  (i32.eqz (i32.and (local.get $old) (local.get $m))))

;; Marks low32(id) seen; 1 when it was not (one of its bits was clear).
(func $pull_visit (param $id i64) (result i32)
  (i32.or (call $pull_bit (i32.wrap_i64 (local.get $id)) (i32.const @PULL_HASH_MUL_A))
          (call $pull_bit (i32.wrap_i64 (local.get $id)) (i32.const @PULL_HASH_MUL_B))))

;; Reply NEED_NEIGHBORS(node, layer).
(func $pull_need (param $node i64) (param $layer i32) (result i32)
  (i32.store (i32.const @IO_PTR) (i32.or (i32.const @MSG_NEED_NEIGHBORS) (i32.shl (i32.const @NN_BYTES) (i32.const 16))))
  (i64.store (i32.const @MSG_PAYLOAD_PTR) (local.get $node))
  (i64.store offset=8 (i32.const @MSG_PAYLOAD_PTR) (i64.extend_i32_u (local.get $layer)))
  (i32.const 24)) ;; header + @NN_BYTES

;; 1 when the greedy walk's current node is $node (its distance is known).
(func $pull_cur_known (param $node i64) (result i32)
  (i32.and (call $st_get (i32.const @ST_CUR_SET))
    (i64.eq (i64.load offset=@ST_CUR_ID (i32.const @STATE_PTR)) (local.get $node))))

;; One descent step on the cached list (node n, layer L >= 1) after request $t: when n's
;; distance was unknown, block vector 0 is n (its distance is at @DIST_PTR, the FINAL chunk
;; computed it) and the list's vectors follow, so n becomes the current node and the block
;; is narrowed to the list. Then rvf_greedy_step; a failure is an ERROR reply.
(func $pull_step (param $t i32) (result i32)
  (local $node i64) (local $next i64) (local $layer i32) (local $s i32)
  (local.set $node (i64.load offset=@ST_NEIGHBOR_NODE (i32.const @STATE_PTR)))
  (local.set $layer (call $st_get (i32.const @ST_NEIGHBOR_LAYER)))
  (if (i32.eqz (call $pull_cur_known (local.get $node)))
    (then
      (i64.store offset=@ST_CUR_ID (i32.const @STATE_PTR) (i64.load (i32.const @IDS_PTR)))
      (call $st_set (i32.const @ST_CUR_DIST) (i32.load (i32.const @DIST_PTR)))
      (call $st_set (i32.const @ST_CUR_SET) (i32.const 1))
      (call $st_set (i32.const @ST_BLOCK_PTR) (i32.add (call $st_get (i32.const @ST_BLOCK_PTR)) (call $st_get (i32.const @ST_BLOCK_STRIDE))))
      (call $st_set (i32.const @ST_BLOCK_COUNT) (i32.sub (call $st_get (i32.const @ST_BLOCK_COUNT)) (i32.const 1)))))
  (local.set $next (call $rvf_greedy_step (local.get $node) (local.get $layer)))
  (if (local.tee $s (call $st_get (i32.const @ST_LAST_STATUS)))
    (then (return (call $msg_reply (i32.const @MSG_ERROR)
      (i32.or (local.get $s) (i32.shl (local.get $t) (i32.const 16))) (local.get $layer)))))
  ;; moved: (next, layer); stayed (next = node): (node, layer - 1) down to layer 1, then pick
  (if (i32.or (i64.ne (local.get $next) (local.get $node)) (i32.gt_u (local.get $layer) (i32.const 1)))
    (then (return (call $pull_need (local.get $next)
      (i32.sub (local.get $layer) (i64.eq (local.get $next) (local.get $node)))))))
  (call $pull_pick))

;; Reply NEED_NEIGHBORS for the nearest unexpanded entry of W (marked expanded); 0 when
;; every entry is expanded (the walk is over).
(func $pull_pick (result i32)
  (local $e i32)
  (local.set $e (i32.const @RESULT_PTR))
  (block $none
    (loop $scan
      (br_if $none (i32.ge_u (local.get $e)
        (i32.add (i32.const @RESULT_PTR) (i32.shl (call $st_get (i32.const @ST_TOPK_LEN)) (i32.const 4)))))
      (if (i32.eqz (i32.load offset=@RESULT_AUX (local.get $e)))
        (then
          (i32.store offset=@RESULT_AUX (local.get $e) (i32.const 1))
          (return (call $pull_need (i64.load (local.get $e)) (i32.const 0)))))
      (local.set $e (i32.add (local.get $e) (i32.const @RESULT_ENTRY_BYTES)))
      (br $scan)))
  (i32.const 0))

;; After a request of type $t succeeded: the pull reply's length, or 0 for the usual reply
;; (not walking, a query-less tile, a non-final or STAGE_ONLY chunk, the walk is over).
(func $pull_on (param $t i32) (result i32)
  (local $i i32) (local $n i32) (local $p i32) (local $up i32) (local $id i64)
  (if (i32.or (i32.eqz (call $st_get (i32.const @ST_PULL))) (i32.eqz (call $st_get (i32.const @ST_QUERY_DIM))))
    (then (return (i32.const 0))))
  (if (i32.eq (local.get $t) (i32.const @MSG_LOAD_NEIGHBORS))
    (then
      ;; The unseen neighbors become NEED_BLOCK's ids (the list is in the neighbor cache);
      ;; on an upper layer every neighbor, after the node itself while its distance is unknown.
      (call $st_set (i32.const @ST_PULL_LAYER) (local.tee $up (call $st_get (i32.const @ST_NEIGHBOR_LAYER))))
      (local.set $n (call $st_get (i32.const @ST_NEIGHBOR_COUNT)))
      (local.set $p (i32.const @MSG_PAYLOAD_PTR))
      (local.set $id (i64.load offset=@ST_NEIGHBOR_NODE (i32.const @STATE_PTR)))
      (if (i32.and (i32.ne (local.get $up) (i32.const 0)) (i32.eqz (call $pull_cur_known (local.get $id))))
        (then
          (i64.store offset=@NB_HEADER_BYTES (local.get $p) (local.get $id))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))))
      (block $listed
        (loop $nb
          (br_if $listed (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $id (i64.load (i32.add (i32.const @NEIGHBOR_PTR) (i32.shl (local.get $i) (i32.const 3)))))
          (if (i32.or (call $pull_visit (local.get $id)) (local.get $up))
            (then
              (i64.store offset=@NB_HEADER_BYTES (local.get $p) (local.get $id))
              (local.set $p (i32.add (local.get $p) (i32.const 8)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $nb)))
      (if (local.tee $n (i32.sub (local.get $p) (i32.const @MSG_PAYLOAD_PTR)))
        (then
          (i64.store (i32.const @MSG_PAYLOAD_PTR) (i64.extend_i32_u (i32.shr_u (local.get $n) (i32.const 3))))
          (local.set $n (i32.add (local.get $n) (i32.const @NB_HEADER_BYTES)))
          (i32.store (i32.const @IO_PTR) (i32.or (i32.const @MSG_NEED_BLOCK) (i32.shl (local.get $n) (i32.const 16))))
          (return (i32.add (local.get $n) (i32.const @MSG_HEADER_BYTES)))))
      (if (local.get $up) (then (return (call $pull_step (local.get $t)))))
      (return (call $pull_pick))))
  ;; A block stream's FINAL chunk that computed and merged: its ids are seen now.
  (if (i32.and (i32.eq (local.get $t) (i32.const @MSG_LOAD_BLOCK))
        (i32.eq (i32.and (i32.load8_u offset=@LB_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LB_F_FINAL_STAGE_MASK)) (i32.const @LB_F_FINAL)))
    (then
      (local.set $n (call $st_get (i32.const @ST_BLOCK_COUNT)))
      (block $marked
        (loop $id
          (br_if $marked (i32.ge_u (local.get $i) (local.get $n)))
          (drop (call $pull_visit (i64.load (i32.add (i32.const @IDS_PTR) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $id)))
      (if (call $st_get (i32.const @ST_PULL_LAYER)) (then (return (call $pull_step (local.get $t)))))
      (return (call $pull_pick))))
  (i32.const 0))

;; LOAD_QUERY (validated): pull mode when flag LQ_F_PULL is set (@ST_PULL), on the base
;; layer (@ST_PULL_LAYER = 0: one store, the fields are adjacent); a fresh visited filter.
(func $pull_begin
  (i64.store offset=@ST_PULL (i32.const @STATE_PTR)
    (i64.extend_i32_u (i32.and (i32.load8_u offset=@LQ_FLAGS (i32.const @MSG_PAYLOAD_PTR)) (i32.const @LQ_F_PULL))))
  (memory.fill (i32.const @PULL_FILTER_PTR) (i32.const 0) (i32.const @PULL_FILTER_BYTES)))
