;; Tree ensemble scoring for batch prediction (wasm-forest.ts builds the memory image; `npm run
;; build` compiles this file into dist/model/tree-walk.wasm).
;;
;; Why WebAssembly: the same pointer walk in JavaScript bounds-checks every typed-array load and
;; takes a data-dependent branch per level, which the CPU mispredicts about half the time. Here the
;; child is chosen with `select` (no branch), 8 trees are walked side by side as independent
;; chains, and every load is a plain memory load.
;;
;; Measured on bench/predict.mjs's model (100 trees of 31 leaves, 7 to 14 deep), 1M rows: 0.91 s
;; on one thread; 1.2 s with 4 lanes; 1.8 s for a first version (4 lanes in tree order, 24-byte
;; nodes holding both children, double comparisons); 2.7 to 3.0 s for onnxruntime on one thread. 6, 12 or 16 lanes were slower (12
;; and 16 spill registers); stepping until no lane moves, instead of the group's depth, saved
;; nothing (a compare and a branch per step against about 30% fewer steps). The eight lanes are
;; written out: a loop over lanes would keep them in memory.
;;
;; Node record, 16 bytes at byte address a (16-aligned):
;;   a+0   f32  the split's threshold, rounded down to a float32: for a float32 x, x <= t holds
;;              exactly when x widened to double is <= the model's double threshold (a leaf: NaN)
;;   a+4   i32  the split's feature, as the byte offset of its float32 in a row (a leaf: 0)
;;   a+8   i32  byte address of the child taken when x <= threshold; the other child (NaN
;;              included) is the next record, 16 bytes on (a leaf: a - 16)
;;   a+12  unused
;; No x is <= NaN, so a leaf's step always lands on a - 16 + 16, the leaf itself: a walk may take
;; more steps than its tree is deep and stays put. Node a's leaf weight, an f64, is at weights + a / 2.
;;
;; Group record, 68 bytes: i32 steps (the deepest of its trees), the 8 trees' root addresses,
;; then where each tree's leaf weight goes in the scratch row (a byte offset). Trees are grouped by
;; depth, not in order; the scratch row puts their weights back in tree order before they are
;; summed. A group of fewer than 8 trees repeats its last tree.

(module
  (memory (import "env" "memory") 1)

  ;; Scores `rows` float32 rows of `rowBytes` bytes from address x: for each row, the weights of
  ;; the `trees` leaves reached are added in tree order, in f64, starting from 0, into that row's
  ;; sum at `out` (8 bytes a row): the order onnxruntime sums a row's trees in.
  (func (export "score")
    (param $x i32) (param $rows i32) (param $rowBytes i32)
    (param $groups i32) (param $groupsEnd i32) (param $weights i32)
    (param $scratch i32) (param $trees i32) (param $out i32)
    (local $end i32) (local $g i32) (local $steps i32) (local $t i32) (local $scratchEnd i32) (local $sum f64)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $a4 i32) (local $a5 i32) (local $a6 i32) (local $a7 i32)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (local.set $scratchEnd (i32.add (local.get $scratch) (i32.shl (local.get $trees) (i32.const 3))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $row
        (local.set $g (local.get $groups))
        (block $grouped
          (br_if $grouped (i32.ge_u (local.get $g) (local.get $groupsEnd)))
          (loop $group
            (local.set $a0 (i32.load offset=4 (local.get $g)))
            (local.set $a1 (i32.load offset=8 (local.get $g)))
            (local.set $a2 (i32.load offset=12 (local.get $g)))
            (local.set $a3 (i32.load offset=16 (local.get $g)))
            (local.set $a4 (i32.load offset=20 (local.get $g)))
            (local.set $a5 (i32.load offset=24 (local.get $g)))
            (local.set $a6 (i32.load offset=28 (local.get $g)))
            (local.set $a7 (i32.load offset=32 (local.get $g)))
            (local.set $steps (i32.load (local.get $g)))
            (block $walked
              (br_if $walked (i32.eqz (local.get $steps)))
              (loop $step
                (local.set $a0
                  (i32.add
                    (i32.load offset=8 (local.get $a0))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a0))))
                        (f32.load (local.get $a0))))))
                (local.set $a1
                  (i32.add
                    (i32.load offset=8 (local.get $a1))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a1))))
                        (f32.load (local.get $a1))))))
                (local.set $a2
                  (i32.add
                    (i32.load offset=8 (local.get $a2))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a2))))
                        (f32.load (local.get $a2))))))
                (local.set $a3
                  (i32.add
                    (i32.load offset=8 (local.get $a3))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a3))))
                        (f32.load (local.get $a3))))))
                (local.set $a4
                  (i32.add
                    (i32.load offset=8 (local.get $a4))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a4))))
                        (f32.load (local.get $a4))))))
                (local.set $a5
                  (i32.add
                    (i32.load offset=8 (local.get $a5))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a5))))
                        (f32.load (local.get $a5))))))
                (local.set $a6
                  (i32.add
                    (i32.load offset=8 (local.get $a6))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a6))))
                        (f32.load (local.get $a6))))))
                (local.set $a7
                  (i32.add
                    (i32.load offset=8 (local.get $a7))
                    (select (i32.const 0) (i32.const 16)
                      (f32.le
                        (f32.load (i32.add (local.get $x) (i32.load offset=4 (local.get $a7))))
                        (f32.load (local.get $a7))))))
                (br_if $step (local.tee $steps (i32.sub (local.get $steps) (i32.const 1))))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=36 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a0) (i32.const 1)))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=40 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a1) (i32.const 1)))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=44 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a2) (i32.const 1)))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=48 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a3) (i32.const 1)))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=52 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a4) (i32.const 1)))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=56 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a5) (i32.const 1)))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=60 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a6) (i32.const 1)))))
            (f64.store (i32.add (local.get $scratch) (i32.load offset=64 (local.get $g)))
              (f64.load (i32.add (local.get $weights) (i32.shr_u (local.get $a7) (i32.const 1)))))
            (br_if $group (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 68))) (local.get $groupsEnd)))))
        ;; The sum, in tree order.
        (local.set $sum (f64.const 0))
        (local.set $t (local.get $scratch))
        (block $summed
          (br_if $summed (i32.ge_u (local.get $t) (local.get $scratchEnd)))
          (loop $add
            (local.set $sum (f64.add (local.get $sum) (f64.load (local.get $t))))
            (br_if $add (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $scratchEnd)))))
        (f64.store (local.get $out) (local.get $sum))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br_if $row (i32.lt_u (local.tee $x (i32.add (local.get $x) (local.get $rowBytes))) (local.get $end)))))))
