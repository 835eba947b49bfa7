;; Gradient boosting's inner loops in WebAssembly: the histogram sums (histogram.ts buildHistogram),
;; and hist-engine.ts's partition, gather, leaf updates and histogram subtraction. Each does the same
;; IEEE operations in the same order as the JavaScript, so the same doubles bit for bit; the
;; histogram loop runs about 1.8x faster than V8's code for the JavaScript one (no bounds check per
;; typed-array access). Compiled by scripts/build-wasm.mjs into dist/train/tree/histogram.wasm;
;; hist-wasm.ts loads it and lays the arrays out in its memory.
;;
;; Addresses are byte offsets into the one (shared) memory:
;;   hist   the histogram: feature f's bin b at hist + 8 * (offsets[f] + 3b + {0: g, 1: h, 2: count})
;;   offs   offsets[], one i32 per feature
;;   bins   u8 bins, column-major: feature f's column at bins + f * n
;;   idx    the node's sample indices (idx + 4 * start already applied); ignored when identity
;;   og/oh  the node's gradients/hessians gathered in idx order (f64, from element 0)
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; In the sample loops, the i-th sample of the node is i itself at the root ($identity), else
  ;; idx[i]; that and the adds are written out in each loop (a call per sample costs more than them).

  ;; Four features [f, f+4) in one pass over the m samples; hessians summed.
  (func $quad (param $hist i32) (param $offs i32) (param $bins i32) (param $n i32) (param $idx i32)
              (param $m i32) (param $og i32) (param $oh i32) (param $f i32) (param $identity i32)
    (local $i i32) (local $s i32) (local $g f64) (local $h f64) (local $x i32)
    (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local.set $b0 (call $histBase (local.get $hist) (local.get $offs) (local.get $f)))
    (local.set $b1 (call $histBase (local.get $hist) (local.get $offs) (i32.add (local.get $f) (i32.const 1))))
    (local.set $b2 (call $histBase (local.get $hist) (local.get $offs) (i32.add (local.get $f) (i32.const 2))))
    (local.set $b3 (call $histBase (local.get $hist) (local.get $offs) (i32.add (local.get $f) (i32.const 3))))
    (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
    (local.set $c1 (i32.add (local.get $c0) (local.get $n)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $n)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $n)))
    (if (i32.eqz (local.get $m)) (then (return)))
    (loop $samples
      (local.set $s (if (result i32) (local.get $identity) (then (local.get $i)) (else (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $g (f64.load (i32.add (local.get $og) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $h (f64.load (i32.add (local.get $oh) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $x (i32.add (local.get $b0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=8 (local.get $x) (f64.add (f64.load offset=8 (local.get $x)) (local.get $h)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $x (i32.add (local.get $b1) (i32.mul (i32.load8_u (i32.add (local.get $c1) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=8 (local.get $x) (f64.add (f64.load offset=8 (local.get $x)) (local.get $h)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $x (i32.add (local.get $b2) (i32.mul (i32.load8_u (i32.add (local.get $c2) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=8 (local.get $x) (f64.add (f64.load offset=8 (local.get $x)) (local.get $h)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $x (i32.add (local.get $b3) (i32.mul (i32.load8_u (i32.add (local.get $c3) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=8 (local.get $x) (f64.add (f64.load offset=8 (local.get $x)) (local.get $h)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $i) (local.get $m)))))

  ;; $quad without the hessians (every hessian is 1: the counts are copied into them at the end).
  (func $quadUnit (param $hist i32) (param $offs i32) (param $bins i32) (param $n i32) (param $idx i32)
                  (param $m i32) (param $og i32) (param $f i32) (param $identity i32)
    (local $i i32) (local $s i32) (local $g f64) (local $x i32)
    (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local.set $b0 (call $histBase (local.get $hist) (local.get $offs) (local.get $f)))
    (local.set $b1 (call $histBase (local.get $hist) (local.get $offs) (i32.add (local.get $f) (i32.const 1))))
    (local.set $b2 (call $histBase (local.get $hist) (local.get $offs) (i32.add (local.get $f) (i32.const 2))))
    (local.set $b3 (call $histBase (local.get $hist) (local.get $offs) (i32.add (local.get $f) (i32.const 3))))
    (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
    (local.set $c1 (i32.add (local.get $c0) (local.get $n)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $n)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $n)))
    (if (i32.eqz (local.get $m)) (then (return)))
    (loop $samples
      (local.set $s (if (result i32) (local.get $identity) (then (local.get $i)) (else (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $g (f64.load (i32.add (local.get $og) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $x (i32.add (local.get $b0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $x (i32.add (local.get $b1) (i32.mul (i32.load8_u (i32.add (local.get $c1) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $x (i32.add (local.get $b2) (i32.mul (i32.load8_u (i32.add (local.get $c2) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $x (i32.add (local.get $b3) (i32.mul (i32.load8_u (i32.add (local.get $c3) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $i) (local.get $m)))))

  ;; One feature $f, hessians summed (the last of an odd number).
  (func $single (param $hist i32) (param $offs i32) (param $bins i32) (param $n i32) (param $idx i32)
                (param $m i32) (param $og i32) (param $oh i32) (param $f i32) (param $identity i32)
    (local $i i32) (local $x i32) (local $b i32) (local $c i32) (local $at i32)
    (local.set $b (call $histBase (local.get $hist) (local.get $offs) (local.get $f)))
    (local.set $c (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
    (if (i32.eqz (local.get $m)) (then (return)))
    (loop $samples
      (local.set $at (i32.shl (local.get $i) (i32.const 3)))
      (local.set $x (i32.add (local.get $b)
        (i32.mul (i32.load8_u (i32.add (local.get $c) (if (result i32) (local.get $identity) (then (local.get $i)) (else (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (f64.load (i32.add (local.get $og) (local.get $at)))))
      (f64.store offset=8 (local.get $x) (f64.add (f64.load offset=8 (local.get $x)) (f64.load (i32.add (local.get $oh) (local.get $at)))))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $i) (local.get $m)))))

;; Two features [f, f+2) in one pass, hessians summed (a chunk's last pair: a single loop per
  ;; feature costs twice a four-feature pass's share).
  (func $pair (param $hist i32) (param $offs i32) (param $bins i32) (param $n i32) (param $idx i32)
              (param $m i32) (param $og i32) (param $oh i32) (param $f i32) (param $identity i32)
    (local $i i32) (local $s i32) (local $g f64) (local $h f64) (local $x i32)
    (local $b0 i32) (local $b1 i32) (local $c0 i32) (local $c1 i32)
    (local.set $b0 (call $histBase (local.get $hist) (local.get $offs) (local.get $f)))
    (local.set $b1 (call $histBase (local.get $hist) (local.get $offs) (i32.add (local.get $f) (i32.const 1))))
    (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
    (local.set $c1 (i32.add (local.get $c0) (local.get $n)))
    (if (i32.eqz (local.get $m)) (then (return)))
    (loop $samples
      (local.set $s (if (result i32) (local.get $identity) (then (local.get $i)) (else (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $g (f64.load (i32.add (local.get $og) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $h (f64.load (i32.add (local.get $oh) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $x (i32.add (local.get $b0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=8 (local.get $x) (f64.add (f64.load offset=8 (local.get $x)) (local.get $h)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $x (i32.add (local.get $b1) (i32.mul (i32.load8_u (i32.add (local.get $c1) (local.get $s))) (i32.const 24))))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $g)))
      (f64.store offset=8 (local.get $x) (f64.add (f64.load offset=8 (local.get $x)) (local.get $h)))
      (f64.store offset=16 (local.get $x) (f64.add (f64.load offset=16 (local.get $x)) (f64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $i) (local.get $m)))))

  ;; Byte address of feature $f's histogram.
  (func $histBase (param $hist i32) (param $offs i32) (param $f i32) (result i32)
    (i32.add (local.get $hist)
      (i32.shl (i32.load (i32.add (local.get $offs) (i32.shl (local.get $f) (i32.const 2)))) (i32.const 3))))

  ;; histogram.ts buildHistogram for features [fFrom, fTo) whose histograms are the doubles
  ;; [from, to) of hist: zeroed, summed four features at a time then two and one, and with
  ;; $unit the counts copied into the hessians.
  (func (export "buildHistogram")
        (param $hist i32) (param $offs i32) (param $bins i32) (param $n i32) (param $idx i32)
        (param $m i32) (param $og i32) (param $oh i32) (param $fFrom i32) (param $fTo i32)
        (param $from i32) (param $to i32) (param $identity i32) (param $unit i32)
    (local $f i32) (local $x i32) (local $end i32)
    (memory.fill (i32.add (local.get $hist) (i32.shl (local.get $from) (i32.const 3)))
                 (i32.const 0) (i32.shl (i32.sub (local.get $to) (local.get $from)) (i32.const 3)))
    (local.set $f (local.get $fFrom))
    (block $quads
      (loop $next
        (br_if $quads (i32.ge_s (i32.add (local.get $f) (i32.const 3)) (local.get $fTo)))
        (if (local.get $unit)
          (then (call $quadUnit (local.get $hist) (local.get $offs) (local.get $bins) (local.get $n) (local.get $idx)
                                (local.get $m) (local.get $og) (local.get $f) (local.get $identity)))
          (else (call $quad (local.get $hist) (local.get $offs) (local.get $bins) (local.get $n) (local.get $idx)
                            (local.get $m) (local.get $og) (local.get $oh) (local.get $f) (local.get $identity))))
        (local.set $f (i32.add (local.get $f) (i32.const 4)))
        (br $next)))
    ;; The rest (0-3 features) two, then one at a time. These sum the hessians even when $unit ($oh
    ;; is stale then): the copy below overwrites them.
    (block $pairs
      (loop $next
        (br_if $pairs (i32.ge_s (i32.add (local.get $f) (i32.const 1)) (local.get $fTo)))
        (call $pair (local.get $hist) (local.get $offs) (local.get $bins) (local.get $n) (local.get $idx)
                    (local.get $m) (local.get $og) (local.get $oh) (local.get $f) (local.get $identity))
        (local.set $f (i32.add (local.get $f) (i32.const 2)))
        (br $next)))
    (if (i32.lt_s (local.get $f) (local.get $fTo))
      (then (call $single (local.get $hist) (local.get $offs) (local.get $bins) (local.get $n) (local.get $idx)
                          (local.get $m) (local.get $og) (local.get $oh) (local.get $f) (local.get $identity))))
    (if (local.get $unit)
      (then
        (local.set $x (i32.add (local.get $hist) (i32.shl (local.get $from) (i32.const 3))))
        (local.set $end (i32.add (local.get $hist) (i32.shl (local.get $to) (i32.const 3))))
        (block $copied
          (loop $bins
            (br_if $copied (i32.ge_u (local.get $x) (local.get $end)))
            (f64.store offset=8 (local.get $x) (f64.load offset=16 (local.get $x)))
            (local.set $x (i32.add (local.get $x) (i32.const 24)))
            (br $bins))))))
;; hgb.ts partition: the stable partition of the node's samples idx[0, m) by bin <= $split of the
  ;; column at $col, branch-free (each sample is written to both sides, only its side's cursor
  ;; moves); the right side goes through $tmp. Returns how many went left.
  (func (export "partition") (param $idx i32) (param $tmp i32) (param $m i32) (param $col i32) (param $split i32) (result i32)
    (local $i i32) (local $l i32) (local $r i32) (local $s i32) (local $left i32)
    (if (i32.eqz (local.get $m)) (then (return (i32.const 0))))
    (loop $samples
      (local.set $s (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $left (i32.le_u (i32.load8_u (i32.add (local.get $col) (local.get $s))) (local.get $split)))
      (i32.store (i32.add (local.get $idx) (i32.shl (local.get $l) (i32.const 2))) (local.get $s))
      (i32.store (i32.add (local.get $tmp) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
      (local.set $l (i32.add (local.get $l) (local.get $left)))
      (local.set $r (i32.sub (i32.add (local.get $r) (i32.const 1)) (local.get $left)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $i) (local.get $m))))
    (memory.copy (i32.add (local.get $idx) (i32.shl (local.get $l) (i32.const 2))) (local.get $tmp) (i32.shl (local.get $r) (i32.const 2)))
    (local.get $l))
;; hgb.ts fillHist: the node's gradients (and hessians unless $unit) gathered in idx order:
  ;; og[i] = g[idx[i]] for i < m.
  (func (export "gather") (param $idx i32) (param $m i32) (param $g i32) (param $h i32) (param $og i32) (param $oh i32) (param $unit i32)
    (local $i i32) (local $s i32) (local $at i32)
    (if (i32.eqz (local.get $m)) (then (return)))
    (if (local.get $unit)
      (then
        (loop $samples
          (local.set $s (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3)))
          (f64.store (i32.add (local.get $og) (i32.shl (local.get $i) (i32.const 3))) (f64.load (i32.add (local.get $g) (local.get $s))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $samples (i32.lt_u (local.get $i) (local.get $m)))))
      (else
        (loop $samples
          (local.set $s (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3)))
          (local.set $at (i32.shl (local.get $i) (i32.const 3)))
          (f64.store (i32.add (local.get $og) (local.get $at)) (f64.load (i32.add (local.get $g) (local.get $s))))
          (f64.store (i32.add (local.get $oh) (local.get $at)) (f64.load (i32.add (local.get $h) (local.get $s))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $samples (i32.lt_u (local.get $i) (local.get $m)))))))

  ;; hgb.ts grow: a leaf's value $v added to its samples' scores, raw[idx[i] * K + k] and the same
  ;; place of sums, for i < m.
  (func (export "addLeaf") (param $idx i32) (param $m i32) (param $raw i32) (param $sums i32) (param $K i32) (param $k i32) (param $v f64)
    (local $i i32) (local $at i32) (local $x i32)
    (if (i32.eqz (local.get $m)) (then (return)))
    (loop $samples
      (local.set $at (i32.shl (i32.add (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))) (local.get $K)) (local.get $k)) (i32.const 3)))
      (local.set $x (i32.add (local.get $raw) (local.get $at)))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $v)))
      (local.set $x (i32.add (local.get $sums) (local.get $at)))
      (f64.store (local.get $x) (f64.add (f64.load (local.get $x)) (local.get $v)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $i) (local.get $m)))))

  ;; hgb.ts subtract: a[j] -= b[j] for j < len doubles (the parent's histogram minus the smaller
  ;; child's), two lanes at a time: each lane is the same IEEE subtraction.
  (func (export "subtract") (param $a i32) (param $b i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (v128.store align=8 (local.get $a) (f64x2.sub (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $a) (f64.sub (f64.load (local.get $a)) (f64.load (local.get $b)))))))
)
