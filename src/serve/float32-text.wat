;; The text `String()` gives for a float32 value widened to a double, as float32-text.ts's
;; writeFloat32Text computes it, in 64-bit integer arithmetic (float32-text.ts explains the method;
;; `npm run build` compiles this file into dist/serve/float32-text.wasm). The scoring thread writes
;; two such numbers per row of a batch prediction; in JavaScript each costs about 0.15 us, most of
;; it in double-precision limb arithmetic that i64 operations do directly here.
;;
;; x = m * 2^(E-23) with a 24-bit mantissa m; for t = 23 - E in 1..33, x * 10^t = N = m * 5^t, an
;; integer below 2^101, held as four base-10^9 limbs. A decimal C (in units of 10^-t) parses back to
;; x when |C - N| <= floor(5^t / 2^30). The lowest 18 digits of N, exact in an i64, decide how many
;; trailing digits to drop; the kept ones (at most 17, the most a double needs) fit an i64 too.
;;
;; Tables, written by the loader (float32-text.ts) before the first call, at fixed addresses:
;;   0     5^t in base-10^9 limbs, three i64 per t (t = 0..33), least significant first
;;   816   floor(5^t / 2^30), one i64 per t
;;   1088  10^k, one i64 per k (k = 0..18)
;; Text is written from byte address `at` on; the caller keeps 1240 and up for its buffers.

(module
  (memory (import "env" "memory") 1)

  (func $digitCount (param $v i64) (result i32)
    (local $n i32)
    (local.set $n (i32.const 1))
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $n) (i32.const 18)))
        (br_if $done (i64.lt_u (local.get $v) (i64.load (i32.add (i32.const 1088) (i32.shl (local.get $n) (i32.const 3))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $more)))
    (local.get $n))

  ;; Writes the text of the float32 with bit pattern `bits` at `at`; returns the address after it,
  ;; or -1 (nothing written) for the values float32-text.ts also leaves to String(): zero, powers of
  ;; two, |x| below 2^-10 or from 2^23, NaN, infinities, and exact ties between two shortest texts.
  (func (export "write") (param $bits i32) (param $at i32) (result i32)
    (local $t i32) (local $fraction i32) (local $m i64) (local $five i32)
    (local $l0 i64) (local $l1 i64) (local $l2 i64) (local $l3 i64) (local $p i64)
    (local $high i64) (local $low i64) (local $length i32) (local $threshold i64)
    (local $drop i32) (local $span i64) (local $tail i64) (local $downOk i32) (local $upOk i32)
    (local $q i64) (local $kept i32) (local $point i32) (local $i i32) (local $end i32)
    (local.set $fraction (i32.and (local.get $bits) (i32.const 0x7fffff)))
    (local.set $t (i32.sub (i32.const 150) (i32.and (i32.shr_u (local.get $bits) (i32.const 23)) (i32.const 0xff))))
    (if (i32.or (i32.eqz (local.get $fraction))
          (i32.or (i32.le_s (local.get $t) (i32.const 0)) (i32.gt_s (local.get $t) (i32.const 33))))
      (then (return (i32.const -1))))
    (local.set $m (i64.extend_i32_u (i32.or (local.get $fraction) (i32.const 0x800000))))
    ;; N = m * 5^t: each product is below 2^24 * 10^9 < 2^54.
    (local.set $five (i32.mul (local.get $t) (i32.const 24)))
    (local.set $p (i64.mul (local.get $m) (i64.load (local.get $five))))
    (local.set $l0 (i64.rem_u (local.get $p) (i64.const 1000000000)))
    (local.set $p (i64.add (i64.mul (local.get $m) (i64.load offset=8 (local.get $five))) (i64.div_u (local.get $p) (i64.const 1000000000))))
    (local.set $l1 (i64.rem_u (local.get $p) (i64.const 1000000000)))
    (local.set $p (i64.add (i64.mul (local.get $m) (i64.load offset=16 (local.get $five))) (i64.div_u (local.get $p) (i64.const 1000000000))))
    (local.set $l2 (i64.rem_u (local.get $p) (i64.const 1000000000)))
    (local.set $l3 (i64.div_u (local.get $p) (i64.const 1000000000)))
    ;; N = high * 10^18 + low, high < 2^101 / 10^18 < 2.6e12.
    (local.set $low (i64.add (local.get $l0) (i64.mul (local.get $l1) (i64.const 1000000000))))
    (local.set $high (i64.add (local.get $l2) (i64.mul (local.get $l3) (i64.const 1000000000))))
    (local.set $length
      (if (result i32) (i64.eqz (local.get $high))
        (then (call $digitCount (local.get $low)))
        (else (i32.add (i32.const 18) (call $digitCount (local.get $high))))))
    ;; Drop as many trailing digits as still round-trip, rounding down or up (both distances grow
    ;; with the digits dropped, so the search stops at the first failure), from the most that
    ;; always do: 10^drop <= threshold.
    (local.set $threshold (i64.load (i32.add (i32.const 816) (i32.shl (local.get $t) (i32.const 3)))))
    (local.set $drop (i32.sub (call $digitCount (local.get $threshold)) (i32.const 1)))
    (if (i64.eqz (local.get $threshold)) (then (local.set $drop (i32.const 0))))
    (block $found
      (loop $next
        (if (i32.or (i32.ge_s (local.get $drop) (i32.const 17)) (i32.ge_s (local.get $drop) (i32.sub (local.get $length) (i32.const 1))))
          (then (return (i32.const -1))))
        (local.set $span (i64.load (i32.add (i32.const 1088) (i32.shl (i32.add (local.get $drop) (i32.const 1)) (i32.const 3)))))
        (local.set $tail (i64.rem_u (local.get $low) (local.get $span)))
        (br_if $found
          (i32.and (i64.gt_u (local.get $tail) (local.get $threshold))
            (i64.gt_u (i64.sub (local.get $span) (local.get $tail)) (local.get $threshold))))
        (local.set $drop (i32.add (local.get $drop) (i32.const 1)))
        (br $next)))
    (local.set $span (i64.load (i32.add (i32.const 1088) (i32.shl (local.get $drop) (i32.const 3)))))
    (local.set $tail (i64.rem_u (local.get $low) (local.get $span)))
    (local.set $downOk (i64.le_u (local.get $tail) (local.get $threshold)))
    (local.set $upOk (i64.le_u (i64.sub (local.get $span) (local.get $tail)) (local.get $threshold)))
    ;; Both round-trip and lie at the same distance: String()'s tie rule decides.
    (if (i32.and (i32.and (local.get $downOk) (local.get $upOk)) (i64.eq (i64.shl (local.get $tail) (i64.const 1)) (local.get $span)))
      (then (return (i32.const -1))))
    ;; The kept digits, N / 10^drop (drop < 18), plus one when rounding up.
    (local.set $q
      (i64.add
        (i64.mul (local.get $high) (i64.load (i32.add (i32.const 1088) (i32.shl (i32.sub (i32.const 18) (local.get $drop)) (i32.const 3)))))
        (i64.div_u (local.get $low) (local.get $span))))
    (local.set $kept (i32.sub (local.get $length) (local.get $drop)))
    (local.set $point (i32.sub (local.get $length) (local.get $t)))
    (if (i32.and (local.get $upOk)
          (i32.or (i32.eqz (local.get $downOk)) (i64.lt_u (i64.sub (local.get $span) (local.get $tail)) (local.get $tail))))
      (then
        (local.set $q (i64.add (local.get $q) (i64.const 1)))
        ;; 99..9 rounded up to 10..0: one more digit.
        (if (i64.eq (local.get $q) (i64.load (i32.add (i32.const 1088) (i32.shl (local.get $kept) (i32.const 3)))))
          (then
            (local.set $kept (i32.add (local.get $kept) (i32.const 1)))
            (local.set $point (i32.add (local.get $point) (i32.const 1)))))))
    (block $trimmed
      (loop $trim
        (br_if $trimmed (i32.le_s (local.get $kept) (i32.const 1)))
        (br_if $trimmed (i64.ne (i64.rem_u (local.get $q) (i64.const 10)) (i64.const 0)))
        (local.set $q (i64.div_u (local.get $q) (i64.const 10)))
        (local.set $kept (i32.sub (local.get $kept) (i32.const 1)))
        (br $trim)))
    (if (i32.shr_u (local.get $bits) (i32.const 31))
      (then
        (i32.store8 (local.get $at) (i32.const 0x2d))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))))
    (if (i32.le_s (local.get $point) (i32.const 0))
      (then
        ;; 0.000ddd: t <= 33 and |x| >= 2^-10 keep the point above -6 (no exponent form).
        (i32.store8 (local.get $at) (i32.const 0x30))
        (i32.store8 offset=1 (local.get $at) (i32.const 0x2e))
        (local.set $at (i32.add (local.get $at) (i32.const 2)))
        (local.set $i (local.get $point))
        (block $zeros
          (loop $zero
            (br_if $zeros (i32.ge_s (local.get $i) (i32.const 0)))
            (i32.store8 (local.get $at) (i32.const 0x30))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $zero)))
        (local.set $end (i32.add (local.get $at) (local.get $kept)))
        (call $digits (local.get $q) (local.get $end) (local.get $kept))
        (return (local.get $end))))
    (if (i32.ge_s (local.get $point) (local.get $kept))
      (then
        ;; ddd000: |x| < 2^23 keeps the point far below 21 (no exponent form).
        (local.set $end (i32.add (local.get $at) (local.get $kept)))
        (call $digits (local.get $q) (local.get $end) (local.get $kept))
        (local.set $i (local.get $kept))
        (block $zeros
          (loop $zero
            (br_if $zeros (i32.ge_s (local.get $i) (local.get $point)))
            (i32.store8 (local.get $end) (i32.const 0x30))
            (local.set $end (i32.add (local.get $end) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $zero)))
        (return (local.get $end))))
    ;; ddd.ddd: the fraction's digits after the point, then the integer's before it.
    (local.set $end (i32.add (i32.add (local.get $at) (local.get $kept)) (i32.const 1)))
    (call $digits (local.get $q) (local.get $end) (i32.sub (local.get $kept) (local.get $point)))
    (local.set $q (i64.div_u (local.get $q) (i64.load (i32.add (i32.const 1088) (i32.shl (i32.sub (local.get $kept) (local.get $point)) (i32.const 3))))))
    (i32.store8 (i32.add (local.get $at) (local.get $point)) (i32.const 0x2e))
    (call $digits (local.get $q) (i32.add (local.get $at) (local.get $point)) (local.get $point))
    (local.get $end))

  ;; Writes the last `count` decimal digits of q in the `count` bytes before `end`.
  (func $digits (param $q i64) (param $end i32) (param $count i32)
    (block $done
      (loop $digit
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $end (i32.sub (local.get $end) (i32.const 1)))
        (i32.store8 (local.get $end) (i32.wrap_i64 (i64.add (i64.rem_u (local.get $q) (i64.const 10)) (i64.const 0x30))))
        (local.set $q (i64.div_u (local.get $q) (i64.const 10)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $digit)))))
