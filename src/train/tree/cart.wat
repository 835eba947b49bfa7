;; CART's per-node loops in WebAssembly (cart.ts growCart, for decision trees and random forests):
;; the class and regression histograms of a node's samples in one feature, and the stable partition
;; of its samples by a split. The same IEEE operations in the same order as cart.ts's JavaScript
;; versions (used when this module is absent), so the same trees bit for bit. Compiled by
;; scripts/build-wasm.mjs into dist/train/tree/cart.wasm; cart-wasm.ts lays the arrays out in its
;; memory. Addresses are byte offsets:
;;   idx   the samples (u32), node k's at [start, end)
;;   col   one feature's u8 bins (column-major data: feature f's column at bins + f * n)
;;   y     class indices (i32) or targets (f64); w the weights (f64), both by sample
;;   hist  S f64 per bin; cnt one i32 per bin
(module
  (memory (import "env" "memory") 1 65536)

  ;; hist[b * S + y[s]] += w[s]; cnt[b]++ over the node's samples; returns (lo << 9) | (hi + 1),
  ;; the bins touched (cart.ts packRange; lo = nb and hi = -1 when there is no sample).
  (func (export "classHistogram") (param $idx i32) (param $start i32) (param $end i32) (param $col i32)
        (param $y i32) (param $w i32) (param $hist i32) (param $cnt i32) (param $S i32) (param $nb i32)
        (result i32)
    (local $i i32) (local $s i32) (local $b i32) (local $x i32) (local $lo i32) (local $hi i32)
    (local.set $lo (local.get $nb))
    (local.set $hi (i32.const -1))
    (local.set $i (local.get $start))
    (block $done
      (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
      (loop $samples
        (local.set $s (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $b (i32.load8_u (i32.add (local.get $col) (local.get $s))))
        (local.set $x
          (i32.add (local.get $hist)
            (i32.shl
              (i32.add (i32.mul (local.get $b) (local.get $S))
                       (i32.load (i32.add (local.get $y) (i32.shl (local.get $s) (i32.const 2)))))
              (i32.const 3))))
        (f64.store (local.get $x)
          (f64.add (f64.load (local.get $x)) (f64.load (i32.add (local.get $w) (i32.shl (local.get $s) (i32.const 3))))))
        (local.set $x (i32.add (local.get $cnt) (i32.shl (local.get $b) (i32.const 2))))
        (i32.store (local.get $x) (i32.add (i32.load (local.get $x)) (i32.const 1)))
        (local.set $lo (select (local.get $b) (local.get $lo) (i32.lt_s (local.get $b) (local.get $lo))))
        (local.set $hi (select (local.get $b) (local.get $hi) (i32.gt_s (local.get $b) (local.get $hi))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $samples (i32.lt_s (local.get $i) (local.get $end)))))
    (i32.or (i32.shl (local.get $lo) (i32.const 9)) (i32.add (local.get $hi) (i32.const 1))))

  ;; hist[2b] += w[s]; hist[2b + 1] += w[s] * y[s]; cnt[b]++; returns the bins touched, as above.
  (func (export "regressionHistogram") (param $idx i32) (param $start i32) (param $end i32) (param $col i32)
        (param $y i32) (param $w i32) (param $hist i32) (param $cnt i32) (param $nb i32) (result i32)
    (local $i i32) (local $s i32) (local $b i32) (local $x i32) (local $lo i32) (local $hi i32) (local $ws f64)
    (local.set $lo (local.get $nb))
    (local.set $hi (i32.const -1))
    (local.set $i (local.get $start))
    (block $done
      (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
      (loop $samples
        (local.set $s (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $b (i32.load8_u (i32.add (local.get $col) (local.get $s))))
        (local.set $ws (f64.load (i32.add (local.get $w) (i32.shl (local.get $s) (i32.const 3)))))
        (local.set $x (i32.add (local.get $hist) (i32.shl (local.get $b) (i32.const 4))))
        (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $ws)))
        (f64.store offset=8 (local.get $x)
          (f64.add (f64.load offset=8 (local.get $x))
                   (f64.mul (local.get $ws) (f64.load (i32.add (local.get $y) (i32.shl (local.get $s) (i32.const 3)))))))
        (local.set $x (i32.add (local.get $cnt) (i32.shl (local.get $b) (i32.const 2))))
        (i32.store (local.get $x) (i32.add (i32.load (local.get $x)) (i32.const 1)))
        (local.set $lo (select (local.get $b) (local.get $lo) (i32.lt_s (local.get $b) (local.get $lo))))
        (local.set $hi (select (local.get $b) (local.get $hi) (i32.gt_s (local.get $b) (local.get $hi))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $samples (i32.lt_s (local.get $i) (local.get $end)))))
    (i32.or (i32.shl (local.get $lo) (i32.const 9)) (i32.add (local.get $hi) (i32.const 1))))

  ;; Stable partition of idx[start, end) by col[s] <= bin (the right side through tmp); returns
  ;; where the right side starts.
  (func (export "partition") (param $idx i32) (param $tmp i32) (param $start i32) (param $end i32)
        (param $col i32) (param $bin i32) (result i32)
    (local $i i32) (local $s i32) (local $l i32) (local $r i32)
    (local.set $l (local.get $start))
    (local.set $i (local.get $start))
    (block $done
      (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
      (loop $samples
        (local.set $s (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.le_u (i32.load8_u (i32.add (local.get $col) (local.get $s))) (local.get $bin))
          (then
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $l) (i32.const 2))) (local.get $s))
            (local.set $l (i32.add (local.get $l) (i32.const 1))))
          (else
            (i32.store (i32.add (local.get $tmp) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $samples (i32.lt_s (local.get $i) (local.get $end)))))
    ;; idx[l, end) = tmp[0, r)
    (local.set $i (i32.const 0))
    (block $copied
      (br_if $copied (i32.eqz (local.get $r)))
      (loop $copy
        (i32.store (i32.add (local.get $idx) (i32.shl (i32.add (local.get $l) (local.get $i)) (i32.const 2)))
                   (i32.load (i32.add (local.get $tmp) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $copy (i32.lt_u (local.get $i) (local.get $r)))))
    (local.get $l))
)
