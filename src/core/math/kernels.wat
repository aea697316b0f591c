;; The project's kernels in WebAssembly SIMD (128-bit). The MLP's: the dense layer's forward pass, backward
;; pass and weight gradient over a batch of rows, and the AdamW step. Preprocessing's (from "Image
;; preprocessing" on): block sums, histograms, block medians, components, resizing, running max and mean,
;; PNG's line filters, each giving what the JavaScript it replaced gave, to the bit. The trainer's threads, the
;; server and the page all run this one module (src/core/math/kernels.ts loads it; `npm run build:kernels`
;; assembles it).
;;
;; Conventions: every pointer is a byte offset into the imported memory; arrays are float32, row-major;
;; a layer's weights are input-major (in × out), so that a zero input skips a whole row of them. MNIST
;; pixels are about 81% zeros, and about half of a ReLU layer's outputs are.
(module
  ;; MEMORY: the build writes the memory import here, shared for the trainer's threads or not.

  ;; dst[0..n) = init[0..n) + Σ_k value_k × row_k[0..n), for the `count` pairs (row_k pointer, value_k)
  ;; at `pairs` (8 bytes each); then max(0, ·) if relu ≠ 0. The one inner loop of the forward pass and of
  ;; the gradients: 16 outputs at a time in four registers, so that each output is loaded and stored once
  ;; per pass over the pairs; then 4 at a time; then one at a time.
  (func $accumulate (param $pairs i32) (param $count i32) (param $init i32) (param $dst i32) (param $n i32) (param $relu i32)
    (local $j i32) (local $off i32) (local $q i32) (local $end i32) (local $p i32) (local $s v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $t f32)
    (local.set $end (i32.add (local.get $pairs) (i32.shl (local.get $count) (i32.const 3))))
    ;; 16 outputs at a time
    (block $done16
      (loop $next16
        (br_if $done16 (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
        (local.set $off (i32.shl (local.get $j) (i32.const 2)))
        (local.set $a0 (v128.load (i32.add (local.get $init) (local.get $off))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $init) (local.get $off))))
        (local.set $a2 (v128.load offset=32 (i32.add (local.get $init) (local.get $off))))
        (local.set $a3 (v128.load offset=48 (i32.add (local.get $init) (local.get $off))))
        (local.set $q (local.get $pairs))
        (block $pairsDone
          (loop $pair
            (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $s (f32x4.splat (f32.load offset=4 (local.get $q))))
            (local.set $p (i32.add (i32.load (local.get $q)) (local.get $off)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load (local.get $p)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $p)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $p)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $p)))))
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $pair)))
        (if (local.get $relu)
          (then
            (local.set $a0 (f32x4.max (local.get $a0) (v128.const f32x4 0 0 0 0)))
            (local.set $a1 (f32x4.max (local.get $a1) (v128.const f32x4 0 0 0 0)))
            (local.set $a2 (f32x4.max (local.get $a2) (v128.const f32x4 0 0 0 0)))
            (local.set $a3 (f32x4.max (local.get $a3) (v128.const f32x4 0 0 0 0)))))
        (v128.store (i32.add (local.get $dst) (local.get $off)) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $dst) (local.get $off)) (local.get $a1))
        (v128.store offset=32 (i32.add (local.get $dst) (local.get $off)) (local.get $a2))
        (v128.store offset=48 (i32.add (local.get $dst) (local.get $off)) (local.get $a3))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $next16)))
    ;; 4 outputs at a time
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $off (i32.shl (local.get $j) (i32.const 2)))
        (local.set $a0 (v128.load (i32.add (local.get $init) (local.get $off))))
        (local.set $q (local.get $pairs))
        (block $pairsDone
          (loop $pair
            (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $a0
              (f32x4.add (local.get $a0)
                (f32x4.mul (f32x4.splat (f32.load offset=4 (local.get $q)))
                  (v128.load (i32.add (i32.load (local.get $q)) (local.get $off))))))
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $pair)))
        (if (local.get $relu)
          (then (local.set $a0 (f32x4.max (local.get $a0) (v128.const f32x4 0 0 0 0)))))
        (v128.store (i32.add (local.get $dst) (local.get $off)) (local.get $a0))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next4)))
    ;; the rest, one at a time
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $off (i32.shl (local.get $j) (i32.const 2)))
        (local.set $t (f32.load (i32.add (local.get $init) (local.get $off))))
        (local.set $q (local.get $pairs))
        (block $pairsDone
          (loop $pair
            (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $t
              (f32.add (local.get $t)
                (f32.mul (f32.load offset=4 (local.get $q)) (f32.load (i32.add (i32.load (local.get $q)) (local.get $off))))))
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $pair)))
        (if (local.get $relu)
          (then (local.set $t (f32.max (local.get $t) (f32.const 0)))))
        (f32.store (i32.add (local.get $dst) (local.get $off)) (local.get $t))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next1))))

  ;; Writes the pairs (rowBase + k × rowBytes, v_k) for each k < count whose value v_k, read at
  ;; src + k × stride, is not zero. Returns how many there are. Branch-free: every pair is written, and the
  ;; write position moves on only past a non-zero one (half a ReLU layer's outputs are zero, at random).
  (func $nonZero (param $src i32) (param $stride i32) (param $count i32) (param $rowBase i32) (param $rowBytes i32) (param $pairs i32) (result i32)
    (local $k i32) (local $at i32) (local $v f32)
    (local.set $at (local.get $pairs))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $v (f32.load (i32.add (local.get $src) (i32.mul (local.get $k) (local.get $stride)))))
        (i32.store (local.get $at) (i32.add (local.get $rowBase) (i32.mul (local.get $k) (local.get $rowBytes))))
        (f32.store offset=4 (local.get $at) (local.get $v))
        (local.set $at (i32.add (local.get $at) (i32.shl (f32.ne (local.get $v) (f32.const 0)) (i32.const 3))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (i32.shr_u (i32.sub (local.get $at) (local.get $pairs)) (i32.const 3)))

  ;; y = b + xW for each of `rows` rows of x (rows × in), then ReLU if relu ≠ 0; y is rows × out. Reads only
  ;; x's non-zero entries. `pairs`: scratch of 8 × in bytes.
  (func (export "forward") (param $x i32) (param $rows i32) (param $in i32) (param $out i32)
    (param $w i32) (param $b i32) (param $y i32) (param $relu i32) (param $pairs i32)
    (local $r i32) (local $m i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $m
          (call $nonZero
            (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $in)) (i32.const 2)))
            (i32.const 4) (local.get $in) (local.get $w) (i32.shl (local.get $out) (i32.const 2)) (local.get $pairs)))
        (call $accumulate (local.get $pairs) (local.get $m) (local.get $b)
          (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r) (local.get $out)) (i32.const 2)))
          (local.get $out) (local.get $relu))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next))))

  ;; The gradients of a layer over `rows` rows: gW += xᵀ dy and gb += Σ dy, for x (rows × in) and the
  ;; loss's gradient at the layer's output dy (rows × out). Rows where an input is zero add nothing to its
  ;; weights' row and are skipped. `pairs`: scratch of 8 × rows bytes.
  (func (export "weightGradient") (param $x i32) (param $dy i32) (param $rows i32) (param $in i32) (param $out i32)
    (param $gw i32) (param $gb i32) (param $pairs i32)
    (local $i i32) (local $m i32) (local $row i32) (local $outBytes i32) (local $k i32)
    (local.set $outBytes (i32.shl (local.get $out) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $in)))
        (local.set $m
          (call $nonZero
            (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))
            (i32.shl (local.get $in) (i32.const 2)) (local.get $rows) (local.get $dy) (local.get $outBytes) (local.get $pairs)))
        (local.set $row (i32.add (local.get $gw) (i32.mul (local.get $i) (local.get $outBytes))))
        (if (local.get $m)
          (then (call $accumulate (local.get $pairs) (local.get $m) (local.get $row) (local.get $row) (local.get $out) (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; gb: every row of dy, with weight 1
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $rows)))
        (i32.store (i32.add (local.get $pairs) (i32.shl (local.get $k) (i32.const 3)))
          (i32.add (local.get $dy) (i32.mul (local.get $k) (local.get $outBytes))))
        (f32.store offset=4 (i32.add (local.get $pairs) (i32.shl (local.get $k) (i32.const 3))) (f32.const 1))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (call $accumulate (local.get $pairs) (local.get $rows) (local.get $gb) (local.get $gb) (local.get $out) (i32.const 0)))

  ;; The loss's gradient at a layer's input: dx = dy Wᵀ where x ≠ 0, and 0 where x = 0. Exact when x comes
  ;; out of a ReLU, whose gradient is zero wherever its output is. x and dx are rows × in, dy rows × out.
  (func (export "backward") (param $dy i32) (param $rows i32) (param $in i32) (param $out i32)
    (param $w i32) (param $x i32) (param $dx i32)
    (local $r i32) (local $i i32) (local $j i32) (local $at i32) (local $wi i32) (local $dyr i32)
    (local $acc v128) (local $t f32) (local $outBytes i32)
    (local.set $outBytes (i32.shl (local.get $out) (i32.const 2)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $dyr (i32.add (local.get $dy) (i32.mul (local.get $r) (local.get $outBytes))))
        (local.set $i (i32.const 0))
        (block $inputsDone
          (loop $input
            (br_if $inputsDone (i32.ge_u (local.get $i) (local.get $in)))
            (local.set $at (i32.shl (i32.add (i32.mul (local.get $r) (local.get $in)) (local.get $i)) (i32.const 2)))
            (local.set $t (f32.const 0))
            (if (f32.ne (f32.load (i32.add (local.get $x) (local.get $at))) (f32.const 0))
              (then
                (local.set $wi (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $outBytes))))
                (local.set $acc (v128.const f32x4 0 0 0 0))
                (local.set $j (i32.const 0))
                (block $done4
                  (loop $next4
                    (br_if $done4 (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $out)))
                    (local.set $acc
                      (f32x4.add (local.get $acc)
                        (f32x4.mul
                          (v128.load (i32.add (local.get $wi) (i32.shl (local.get $j) (i32.const 2))))
                          (v128.load (i32.add (local.get $dyr) (i32.shl (local.get $j) (i32.const 2)))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $next4)))
                (local.set $t
                  (f32.add
                    (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                    (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
                (block $done1
                  (loop $next1
                    (br_if $done1 (i32.ge_u (local.get $j) (local.get $out)))
                    (local.set $t
                      (f32.add (local.get $t)
                        (f32.mul
                          (f32.load (i32.add (local.get $wi) (i32.shl (local.get $j) (i32.const 2))))
                          (f32.load (i32.add (local.get $dyr) (i32.shl (local.get $j) (i32.const 2)))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $next1)))))
            (f32.store (i32.add (local.get $dx) (local.get $at)) (local.get $t))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $input)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; One AdamW step (decoupled weight decay) on `count` parameters p from the summed gradients g:
  ;;   g' = g × scale;  m = β₁m + (1 − β₁)g';  v = β₂v + (1 − β₂)g'²;
  ;;   p −= lr × (m × c1) / (√(v × c2) + ε) + lrDecay × p
  ;; with c1, c2 Adam's bias corrections, scale = 1 / batch, and lrDecay = lr × weight decay (0 for biases).
  (func (export "adamw") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $count i32)
    (param $lr f32) (param $lrDecay f32) (param $c1 f32) (param $c2 f32) (param $scale f32)
    (local $end i32) (local $at i32) (local $gs v128) (local $mv v128) (local $vv v128) (local $pv v128)
    (local $gt f32) (local $mt f32) (local $vt f32) (local $pt f32)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (local.set $gs (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $at))) (f32x4.splat (local.get $scale))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.const f32x4 0.9 0.9 0.9 0.9) (v128.load (i32.add (local.get $m) (local.get $at))))
            (f32x4.mul (v128.const f32x4 0.1 0.1 0.1 0.1) (local.get $gs))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.const f32x4 0.999 0.999 0.999 0.999) (v128.load (i32.add (local.get $v) (local.get $at))))
            (f32x4.mul (v128.const f32x4 0.001 0.001 0.001 0.001) (f32x4.mul (local.get $gs) (local.get $gs)))))
        (v128.store (i32.add (local.get $m) (local.get $at)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $at)) (local.get $vv))
        (local.set $pv (v128.load (i32.add (local.get $p) (local.get $at))))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (f32x4.sub (local.get $pv)
            (f32x4.add
              (f32x4.mul (f32x4.splat (local.get $lr))
                (f32x4.div
                  (f32x4.mul (local.get $mv) (f32x4.splat (local.get $c1)))
                  (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $vv) (f32x4.splat (local.get $c2)))) (v128.const f32x4 1e-8 1e-8 1e-8 1e-8))))
              (f32x4.mul (f32x4.splat (local.get $lrDecay)) (local.get $pv)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next4)))
    ;; the same, one at a time
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $gt (f32.mul (f32.load (i32.add (local.get $g) (local.get $at))) (local.get $scale)))
        (local.set $mt
          (f32.add (f32.mul (f32.const 0.9) (f32.load (i32.add (local.get $m) (local.get $at)))) (f32.mul (f32.const 0.1) (local.get $gt))))
        (local.set $vt
          (f32.add
            (f32.mul (f32.const 0.999) (f32.load (i32.add (local.get $v) (local.get $at))))
            (f32.mul (f32.const 0.001) (f32.mul (local.get $gt) (local.get $gt)))))
        (f32.store (i32.add (local.get $m) (local.get $at)) (local.get $mt))
        (f32.store (i32.add (local.get $v) (local.get $at)) (local.get $vt))
        (local.set $pt (f32.load (i32.add (local.get $p) (local.get $at))))
        (f32.store (i32.add (local.get $p) (local.get $at))
          (f32.sub (local.get $pt)
            (f32.add
              (f32.mul (local.get $lr)
                (f32.div
                  (f32.mul (local.get $mt) (local.get $c1))
                  (f32.add (f32.sqrt (f32.mul (local.get $vt) (local.get $c2))) (f32.const 1e-8))))
              (f32.mul (local.get $lrDecay) (local.get $pt)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next1))))

  ;; dst[0..count) += src[0..count): one thread's gradients into the sum.
  (func (export "add") (param $dst i32) (param $src i32) (param $count i32)
    (local $at i32) (local $end i32)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (v128.store (i32.add (local.get $dst) (local.get $at))
          (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $at))) (v128.load (i32.add (local.get $src) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next4)))
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $at) (local.get $end)))
        (f32.store (i32.add (local.get $dst) (local.get $at))
          (f32.add (f32.load (i32.add (local.get $dst) (local.get $at))) (f32.load (i32.add (local.get $src) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next1))))

  ;; Image preprocessing (src/core/image/preprocess.ts).
  ;;
  ;; The sums of RGBA pixels over factor×factor blocks: for `rows` rows of `width` pixels at `rgba` (rows a
  ;; multiple of factor), block (x, y) adds Σ luminance × alpha into lit[y × w + x] and Σ (255 − alpha) into
  ;; clear[y × w + x] (float32), all on 0..255, with luminance = 0.299 r + 0.587 g + 0.114 b; returns 1 if a
  ;; pixel is translucent (alpha < 250), else 0. Each block row's sum is made in float64, pixel by pixel from
  ;; the left, and added to the float32 sums, as the reference in test/math/kernels.test.ts does: the same sums
  ;; to the bit. Runs of identical pixels (the paper) go four blocks at a time: their row sums are the same, and
  ;; each of the four float32 sums gets it in float64 and is rounded once.
  (func (export "greySums") (param $rgba i32) (param $width i32) (param $factor i32) (param $w i32) (param $rows i32)
    (param $lit i32) (param $clear i32) (result i32)
    (local $y i32) (local $x i32) (local $dx i32) (local $q i32) (local $out i32) (local $pixel i32) (local $last i32)
    (local $same i32) (local $k i32) (local $run i32) (local $translucent i32)
    (local $a f64) (local $l f64) (local $t f64) (local $lastLit f64) (local $lastClear f64)
    (local $sameLit v128) (local $sameClear v128) (local $lastWord v128) (local $eq v128)
    ;; The first pixel's values, so that they need no "none yet" case; a run's row sums are made on first use.
    (local.set $last (i32.load (local.get $rgba)))
    (local.set $a (f64.convert_i32_u (i32.load8_u offset=3 (local.get $rgba))))
    (local.set $lastLit (f64.mul (call $luminance (local.get $rgba)) (local.get $a)))
    (local.set $lastClear (f64.sub (f64.const 255) (local.get $a)))
    (local.set $translucent (f64.lt (local.get $a) (f64.const 250)))
    (local.set $same (i32.xor (local.get $last) (i32.const -1)))
    (local.set $run (i32.shl (local.get $factor) (i32.const 4)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $out (i32.shl (i32.mul (i32.div_u (local.get $y) (local.get $factor)) (local.get $w)) (i32.const 2)))
        (local.set $q (i32.add (local.get $rgba) (i32.shl (i32.mul (local.get $y) (local.get $width)) (i32.const 2))))
        (local.set $x (i32.const 0))
        (block $blocksDone
          (loop $block
            (br_if $blocksDone (i32.ge_u (local.get $x) (local.get $w)))
            ;; Four blocks of the last pixel: their four row sums at once.
            (if (i32.le_u (i32.add (local.get $x) (i32.const 4)) (local.get $w))
              (then
                (if (i32.ne (local.get $same) (local.get $last))
                  (then
                    (local.set $l (f64.const 0))
                    (local.set $t (f64.const 0))
                    (local.set $dx (i32.const 0))
                    (loop $repeat
                      (local.set $l (f64.add (local.get $l) (local.get $lastLit)))
                      (local.set $t (f64.add (local.get $t) (local.get $lastClear)))
                      (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
                      (br_if $repeat (i32.lt_u (local.get $dx) (local.get $factor))))
                    (local.set $sameLit (f64x2.splat (local.get $l)))
                    (local.set $sameClear (f64x2.splat (local.get $t)))
                    (local.set $lastWord (i32x4.splat (local.get $last)))
                    (local.set $same (local.get $last))))
                (local.set $eq (v128.const i32x4 -1 -1 -1 -1))
                (local.set $k (i32.const 0))
                (loop $compare
                  (local.set $eq (v128.and (local.get $eq) (i32x4.eq (v128.load (i32.add (local.get $q) (local.get $k))) (local.get $lastWord))))
                  (local.set $k (i32.add (local.get $k) (i32.const 16)))
                  (br_if $compare (i32.lt_u (local.get $k) (local.get $run))))
                (if (i32x4.all_true (local.get $eq))
                  (then
                    (v128.store (i32.add (local.get $lit) (local.get $out))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                        (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $lit) (local.get $out)))) (local.get $sameLit)))
                        (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $lit) (local.get $out)))) (local.get $sameLit)))))
                    (if (f64.ne (local.get $lastClear) (f64.const 0))
                      (then (v128.store (i32.add (local.get $clear) (local.get $out))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                        (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $clear) (local.get $out)))) (local.get $sameClear)))
                        (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $clear) (local.get $out)))) (local.get $sameClear)))))))
                    (local.set $q (i32.add (local.get $q) (local.get $run)))
                    (local.set $out (i32.add (local.get $out) (i32.const 16)))
                    (local.set $x (i32.add (local.get $x) (i32.const 4)))
                    (br $block)))))
            ;; One block, pixel by pixel.
            (local.set $l (f64.const 0))
            (local.set $t (f64.const 0))
            (local.set $dx (i32.const 0))
            (loop $pixels
              (local.set $pixel (i32.load (local.get $q)))
              (if (i32.ne (local.get $pixel) (local.get $last))
                (then
                  (local.set $a (f64.convert_i32_u (i32.load8_u offset=3 (local.get $q))))
                  (local.set $lastLit (f64.mul (call $luminance (local.get $q)) (local.get $a)))
                  (local.set $lastClear (f64.sub (f64.const 255) (local.get $a)))
                  (if (f64.lt (local.get $a) (f64.const 250)) (then (local.set $translucent (i32.const 1))))
                  (local.set $last (local.get $pixel))))
              (local.set $l (f64.add (local.get $l) (local.get $lastLit)))
              (local.set $t (f64.add (local.get $t) (local.get $lastClear)))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
              (br_if $pixels (i32.lt_u (local.get $dx) (local.get $factor))))
            (f32.store (i32.add (local.get $lit) (local.get $out))
              (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $lit) (local.get $out)))) (local.get $l))))
            (f32.store (i32.add (local.get $clear) (local.get $out))
              (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $clear) (local.get $out)))) (local.get $t))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $block)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row)))
    (local.get $translucent))

  ;; 0.299 r + 0.587 g + 0.114 b of the RGBA pixel at `p`, in float64, in that order.
  (func $luminance (param $p i32) (result f64)
    (f64.add
      (f64.add
        (f64.mul (f64.const 0.299) (f64.convert_i32_u (i32.load8_u (local.get $p))))
        (f64.mul (f64.const 0.587) (f64.convert_i32_u (i32.load8_u offset=1 (local.get $p)))))
      (f64.mul (f64.const 0.114) (f64.convert_i32_u (i32.load8_u offset=2 (local.get $p))))))

  ;; The alpha-weighted luminance of the first `cols` pixels of each of the `rows` rows of `width` pixels at
  ;; `rgba`: Σ luminance × alpha and Σ alpha added to the two float64 at `totals`, pixel by pixel. Only a
  ;; translucent image needs it (workingGrey).
  (func (export "greyWeight") (param $rgba i32) (param $width i32) (param $cols i32) (param $rows i32) (param $totals i32)
    (local $p i32) (local $end i32) (local $a f64) (local $weighted f64) (local $alphaSum f64)
    (local.set $weighted (f64.load (local.get $totals)))
    (local.set $alphaSum (f64.load offset=8 (local.get $totals)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.eqz (local.get $rows)))
        (local.set $p (local.get $rgba))
        (local.set $end (i32.add (local.get $rgba) (i32.shl (local.get $cols) (i32.const 2))))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $a (f64.convert_i32_u (i32.load8_u offset=3 (local.get $p))))
            (local.set $weighted (f64.add (local.get $weighted) (f64.mul (call $luminance (local.get $p)) (local.get $a))))
            (local.set $alphaSum (f64.add (local.get $alphaSum) (local.get $a)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $next)))
        (local.set $rgba (i32.add (local.get $rgba) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row)))
    (f64.store (local.get $totals) (local.get $weighted))
    (f64.store offset=8 (local.get $totals) (local.get $alphaSum)))

  ;; The 1024-bin histogram of the `n` float32 values in [0, 1] at `values` that are above `above` (compared in
  ;; float64, as JavaScript compares): bin floor(1024 v), clamped to 0..1023, into the 1024 int32 at `counts`.
  ;; Returns how many were counted. Runs of one value (the paper, most of an image) are counted four at a
  ;; time, and added to their bin when the run ends.
  (func (export "histogram") (param $values i32) (param $n i32) (param $above f64) (param $counts i32) (result i32)
    (local $at i32) (local $end i32) (local $end4 i32) (local $v f32) (local $last f32) (local $lastBin i32)
    (local $run i32) (local $total i32) (local $splat v128) (local $k i32)
    (loop $zero
      (v128.store (i32.add (local.get $counts) (local.get $at)) (v128.const i32x4 0 0 0 0))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br_if $zero (i32.lt_u (local.get $at) (i32.const 4096))))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    ;; The run so far: of the first value, none counted yet; lastBin −1 when that value is not counted.
    (local.set $last (f32.load (local.get $values)))
    (local.set $lastBin (call $binAbove (local.get $last) (local.get $above)))
    (local.set $splat (f32x4.splat (local.get $last)))
    (local.set $end (i32.add (local.get $values) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $values) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $values) (local.get $end)))
        (if (i32.and (i32.lt_u (local.get $values) (local.get $end4)) (i32x4.all_true (f32x4.eq (v128.load (local.get $values)) (local.get $splat))))
          (then
            (local.set $run (i32.add (local.get $run) (i32.const 4)))
            (local.set $values (i32.add (local.get $values) (i32.const 16))))
          (else
            ;; Up to four values one at a time (one at the tail).
            (local.set $k (select (i32.const 4) (i32.const 1) (i32.lt_u (local.get $values) (local.get $end4))))
            (loop $one
              (local.set $v (f32.load (local.get $values)))
              (if (f32.eq (local.get $v) (local.get $last))
                (then (local.set $run (i32.add (local.get $run) (i32.const 1))))
                (else
                  (if (i32.ge_s (local.get $lastBin) (i32.const 0))
                    (then
                      (i32.store (i32.add (local.get $counts) (i32.shl (local.get $lastBin) (i32.const 2)))
                        (i32.add (i32.load (i32.add (local.get $counts) (i32.shl (local.get $lastBin) (i32.const 2)))) (local.get $run)))
                      (local.set $total (i32.add (local.get $total) (local.get $run)))))
                  (local.set $last (local.get $v))
                  (local.set $lastBin (call $binAbove (local.get $v) (local.get $above)))
                  (local.set $run (i32.const 1))))
              (local.set $values (i32.add (local.get $values) (i32.const 4)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br_if $one (local.get $k)))
            (local.set $splat (f32x4.splat (local.get $last)))))
        (br $next)))
    (if (i32.ge_s (local.get $lastBin) (i32.const 0))
      (then
        (i32.store (i32.add (local.get $counts) (i32.shl (local.get $lastBin) (i32.const 2)))
          (i32.add (i32.load (i32.add (local.get $counts) (i32.shl (local.get $lastBin) (i32.const 2)))) (local.get $run)))
        (local.set $total (i32.add (local.get $total) (local.get $run)))))
    (local.get $total))

  ;; The histogram bin of v, floor(1024 v) clamped to 0..1023, or −1 if v is not above `above`.
  (func $binAbove (param $v f32) (param $above f64) (result i32)
    (local $b i32)
    (if (f64.le (f64.promote_f32 (local.get $v)) (local.get $above)) (then (return (i32.const -1))))
    (local.set $b (i32.trunc_sat_f32_s (f32.mul (local.get $v) (f32.const 1024))))
    (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
    (select (i32.const 1023) (local.get $b) (i32.gt_s (local.get $b) (i32.const 1023))))

  ;; The median of each block×block tile of the w×h float32 image at `img` (values in [0, 1]; partial tiles at
  ;; the right and bottom edges included), to 1/64, into the ceil(w / block) × ceil(h / block) floats at `grid`:
  ;; the centre of the 64-bin histogram bin that holds it, or 0 when that is the lowest bin. Counted four pixels
  ;; at a time into four interleaved sets of bins at `sets` (1 kB), as in histogram.
  (func (export "blockMedians") (param $img i32) (param $w i32) (param $h i32) (param $block i32) (param $grid i32) (param $sets i32)
    (local $bx i32) (local $by i32) (local $x0 i32) (local $x1 i32) (local $y i32) (local $y1 i32) (local $p i32) (local $end i32)
    (local $b i32) (local $seen i32) (local $target f64) (local $at i32)
    (block $tilesDone
      (loop $tileRow
        (br_if $tilesDone (i32.ge_u (i32.mul (local.get $by) (local.get $block)) (local.get $h)))
        (local.set $y1 (i32.add (i32.mul (local.get $by) (local.get $block)) (local.get $block)))
        (if (i32.gt_u (local.get $y1) (local.get $h)) (then (local.set $y1 (local.get $h))))
        (local.set $bx (i32.const 0))
        (block $rowDone
          (loop $tile
            (local.set $x0 (i32.mul (local.get $bx) (local.get $block)))
            (br_if $rowDone (i32.ge_u (local.get $x0) (local.get $w)))
            (local.set $x1 (i32.add (local.get $x0) (local.get $block)))
            (if (i32.gt_u (local.get $x1) (local.get $w)) (then (local.set $x1 (local.get $w))))
            (local.set $at (i32.const 0))
            (loop $zero
              (v128.store (i32.add (local.get $sets) (local.get $at)) (v128.const i32x4 0 0 0 0))
              (local.set $at (i32.add (local.get $at) (i32.const 16)))
              (br_if $zero (i32.lt_u (local.get $at) (i32.const 1024))))
            (local.set $y (i32.mul (local.get $by) (local.get $block)))
            (loop $pixelRow
              (local.set $p (i32.add (local.get $img) (i32.shl (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $x0)) (i32.const 2))))
              (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (i32.sub (local.get $x1) (local.get $x0)) (i32.const -4)) (i32.const 2))))
              (block $done4
                (loop $next4
                  (br_if $done4 (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $b (i32.trunc_sat_f32_s (f32.mul (f32.load offset=0 (local.get $p)) (f32.const 64))))
                (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
                (local.set $b (i32.add (local.get $sets) (i32.shl (select (i32.const 63) (local.get $b) (i32.gt_s (local.get $b) (i32.const 63))) (i32.const 2))))
                (i32.store offset=0 (local.get $b) (i32.add (i32.load offset=0 (local.get $b)) (i32.const 1)))
                (local.set $b (i32.trunc_sat_f32_s (f32.mul (f32.load offset=4 (local.get $p)) (f32.const 64))))
                (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
                (local.set $b (i32.add (local.get $sets) (i32.shl (select (i32.const 63) (local.get $b) (i32.gt_s (local.get $b) (i32.const 63))) (i32.const 2))))
                (i32.store offset=256 (local.get $b) (i32.add (i32.load offset=256 (local.get $b)) (i32.const 1)))
                (local.set $b (i32.trunc_sat_f32_s (f32.mul (f32.load offset=8 (local.get $p)) (f32.const 64))))
                (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
                (local.set $b (i32.add (local.get $sets) (i32.shl (select (i32.const 63) (local.get $b) (i32.gt_s (local.get $b) (i32.const 63))) (i32.const 2))))
                (i32.store offset=512 (local.get $b) (i32.add (i32.load offset=512 (local.get $b)) (i32.const 1)))
                (local.set $b (i32.trunc_sat_f32_s (f32.mul (f32.load offset=12 (local.get $p)) (f32.const 64))))
                (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
                (local.set $b (i32.add (local.get $sets) (i32.shl (select (i32.const 63) (local.get $b) (i32.gt_s (local.get $b) (i32.const 63))) (i32.const 2))))
                (i32.store offset=768 (local.get $b) (i32.add (i32.load offset=768 (local.get $b)) (i32.const 1)))
                  (local.set $p (i32.add (local.get $p) (i32.const 16)))
                  (br $next4)))
              (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (i32.sub (local.get $x1) (local.get $x0)) (i32.const 3)) (i32.const 2))))
              (block $done1
                (loop $next1
                  (br_if $done1 (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $b (i32.trunc_sat_f32_s (f32.mul (f32.load offset=0 (local.get $p)) (f32.const 64))))
                (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
                (local.set $b (i32.add (local.get $sets) (i32.shl (select (i32.const 63) (local.get $b) (i32.gt_s (local.get $b) (i32.const 63))) (i32.const 2))))
                (i32.store offset=0 (local.get $b) (i32.add (i32.load offset=0 (local.get $b)) (i32.const 1)))
                  (local.set $p (i32.add (local.get $p) (i32.const 4)))
                  (br $next1)))
              (local.set $y (i32.add (local.get $y) (i32.const 1)))
              (br_if $pixelRow (i32.lt_u (local.get $y) (local.get $y1))))
            ;; The median: the first bin by which more than (count − 1) / 2 values are seen.
            (local.set $target
              (f64.div
                (f64.convert_i32_u (i32.sub (i32.mul (i32.sub (local.get $x1) (local.get $x0)) (i32.sub (local.get $y1) (i32.mul (local.get $by) (local.get $block)))) (i32.const 1)))
                (f64.const 2)))
            (local.set $seen (i32.const 0))
            (local.set $b (i32.const 0))
            (block $found
              (loop $scan
                (br_if $found (i32.ge_u (local.get $b) (i32.const 63)))
                (local.set $at (i32.add (local.get $sets) (i32.shl (local.get $b) (i32.const 2))))
                (local.set $seen
                  (i32.add (local.get $seen)
                    (i32.add
                      (i32.add (i32.load (local.get $at)) (i32.load offset=256 (local.get $at)))
                      (i32.add (i32.load offset=512 (local.get $at)) (i32.load offset=768 (local.get $at))))))
                (br_if $found (f64.gt (f64.convert_i32_u (local.get $seen)) (local.get $target)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $scan)))
            (f32.store (local.get $grid)
              (select (f32.const 0) (f32.div (f32.add (f32.convert_i32_u (local.get $b)) (f32.const 0.5)) (f32.const 64)) (i32.eqz (local.get $b))))
            (local.set $grid (i32.add (local.get $grid) (i32.const 4)))
            (local.set $bx (i32.add (local.get $bx) (i32.const 1)))
            (br $tile)))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br $tileRow))))

  ;; v = 1 − v for the `n` float32 at `values`, in place.
  (func (export "complement") (param $values i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $values) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $values) (local.get $end)))
        (v128.store (local.get $values) (f32x4.sub (v128.const f32x4 1 1 1 1) (v128.load (local.get $values))))
        (local.set $values (i32.add (local.get $values) (i32.const 16)))
        (br $next4)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $values) (local.get $end)))
        (f32.store (local.get $values) (f32.sub (f32.const 1) (f32.load (local.get $values))))
        (local.set $values (i32.add (local.get $values) (i32.const 4)))
        (br $next1))))

  ;; v = min(1, max(0, (v − low) × gain)) for the `n` float32 at `values`, in place, in float64 rounded once.
  (func (export "stretch") (param $values i32) (param $n i32) (param $low f64) (param $gain f64)
    (local $end i32) (local $l v128) (local $g v128)
    (local.set $l (f64x2.splat (local.get $low)))
    (local.set $g (f64x2.splat (local.get $gain)))
    (local.set $end (i32.add (local.get $values) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done2
      (loop $next2
        (br_if $done2 (i32.ge_u (local.get $values) (local.get $end)))
        (v128.store64_lane 0 (local.get $values)
          (f32x4.demote_f64x2_zero
            (f64x2.pmin (v128.const f64x2 1 1)
              (f64x2.pmax (v128.const f64x2 0 0)
                (f64x2.mul (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $values))) (local.get $l)) (local.get $g))))))
        (local.set $values (i32.add (local.get $values) (i32.const 8)))
        (br $next2)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (f32.store (local.get $values)
          (f32.demote_f64
            (f64.min (f64.const 1) (f64.max (f64.const 0) (f64.mul (f64.sub (f64.promote_f32 (f32.load (local.get $values))) (local.get $low)) (local.get $gain)))))))))

  ;; out = (grey − local + 1) / 2 for the `n` float32 of each, in float64 rounded once: differences from the
  ;; local background, mapped from [−1, 1] to [0, 1].
  (func (export "residual") (param $grey i32) (param $local i32) (param $out i32) (param $n i32)
    (local $at i32) (local $end i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2)))
    (block $done2
      (loop $next2
        (br_if $done2 (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.div
              (f64x2.add
                (f64x2.sub
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $grey) (local.get $at))))
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $local) (local.get $at)))))
                (v128.const f64x2 1 1))
              (v128.const f64x2 2 2))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $next2)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (f32.store (i32.add (local.get $out) (local.get $at))
          (f32.demote_f64
            (f64.div
              (f64.add
                (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $grey) (local.get $at)))) (f64.promote_f32 (f32.load (i32.add (local.get $local) (local.get $at)))))
                (f64.const 1))
              (f64.const 2)))))))

  ;; out = |v(x + 1, y) − v(x, y)| for the (w − 1) × h horizontal neighbour pairs of the w×h float32 image at
  ;; `values`, row by row.
  (func (export "differences") (param $values i32) (param $w i32) (param $h i32) (param $out i32)
    (local $y i32) (local $p i32) (local $end i32)
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $p (i32.add (local.get $values) (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.shl (i32.sub (local.get $w) (i32.const 1)) (i32.const 2))))
        (block $done4
          (loop $next4
            (br_if $done4 (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
            (v128.store (local.get $out) (f32x4.abs (f32x4.sub (v128.load offset=4 (local.get $p)) (v128.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (br $next4)))
        (block $done1
          (loop $next1
            (br_if $done1 (i32.ge_u (local.get $p) (local.get $end)))
            (f32.store (local.get $out) (f32.abs (f32.sub (f32.load offset=4 (local.get $p)) (f32.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (br $next1)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; The 8-connected components of the pixels of the w×h float32 image at `img` above `threshold` (compared in
  ;; float64): each pixel's label into the int32 `labels` (0: none; components numbered from 1 in the order of
  ;; their first pixel, row by row), and for each label five int32 at `info` + 20 × label: its area and the
  ;; box around it (left, top, right, bottom, inclusive). `stack`: 4 × w × h bytes. Returns how many there are.
  (func (export "components") (param $img i32) (param $w i32) (param $h i32) (param $threshold f64) (param $labels i32) (param $stack i32) (param $info i32) (result i32)
    (local $n i32) (local $start i32) (local $count i32) (local $sp i32) (local $p i32) (local $q i32)
    (local $px i32) (local $py i32) (local $x i32) (local $y i32) (local $dx i32) (local $dy i32)
    (local $area i32) (local $x0 i32) (local $x1 i32) (local $y1 i32) (local $at i32)
    (local.set $n (i32.mul (local.get $w) (local.get $h)))
    (local.set $at (i32.const 0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $at) (i32.shl (local.get $n) (i32.const 2))))
        (v128.store (i32.add (local.get $labels) (local.get $at)) (v128.const i32x4 0 0 0 0))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $zero)))
    (block $scanned
      (loop $scan
        (br_if $scanned (i32.ge_u (local.get $start) (local.get $n)))
        (if (f64.gt (f64.promote_f32 (f32.load (i32.add (local.get $img) (i32.shl (local.get $start) (i32.const 2))))) (local.get $threshold))
          (then (if (i32.eqz (i32.load (i32.add (local.get $labels) (i32.shl (local.get $start) (i32.const 2)))))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (i32.store (i32.add (local.get $labels) (i32.shl (local.get $start) (i32.const 2))) (local.get $count))
            (i32.store (local.get $stack) (local.get $start))
            (local.set $sp (i32.const 4))
            (local.set $area (i32.const 0))
            (local.set $x0 (local.get $w))
            (local.set $x1 (i32.const -1))
            (local.set $y1 (i32.const -1))
            (loop $fill
              (local.set $sp (i32.sub (local.get $sp) (i32.const 4)))
              (local.set $p (i32.load (i32.add (local.get $stack) (local.get $sp))))
              (local.set $area (i32.add (local.get $area) (i32.const 1)))
              (local.set $py (i32.div_u (local.get $p) (local.get $w)))
              (local.set $px (i32.sub (local.get $p) (i32.mul (local.get $py) (local.get $w))))
              (if (i32.lt_s (local.get $px) (local.get $x0)) (then (local.set $x0 (local.get $px))))
              (if (i32.gt_s (local.get $px) (local.get $x1)) (then (local.set $x1 (local.get $px))))
              (if (i32.gt_s (local.get $py) (local.get $y1)) (then (local.set $y1 (local.get $py))))
              (local.set $dy (i32.const -1))
              (loop $rows
                (local.set $y (i32.add (local.get $py) (local.get $dy)))
                (if (i32.lt_u (local.get $y) (local.get $h))
                  (then
                    (local.set $dx (i32.const -1))
                    (loop $cols
                      (local.set $x (i32.add (local.get $px) (local.get $dx)))
                      (if (i32.lt_u (local.get $x) (local.get $w))
                        (then
                          (local.set $q (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $x)))
                          (if (i32.and
                                (i32.eqz (i32.load (i32.add (local.get $labels) (i32.shl (local.get $q) (i32.const 2)))))
                                (f64.gt (f64.promote_f32 (f32.load (i32.add (local.get $img) (i32.shl (local.get $q) (i32.const 2))))) (local.get $threshold)))
                            (then
                              (i32.store (i32.add (local.get $labels) (i32.shl (local.get $q) (i32.const 2))) (local.get $count))
                              (i32.store (i32.add (local.get $stack) (local.get $sp)) (local.get $q))
                              (local.set $sp (i32.add (local.get $sp) (i32.const 4)))))))
                      (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
                      (br_if $cols (i32.le_s (local.get $dx) (i32.const 1))))))
                (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
                (br_if $rows (i32.le_s (local.get $dy) (i32.const 1))))
              (br_if $fill (local.get $sp)))
            (local.set $at (i32.add (local.get $info) (i32.mul (local.get $count) (i32.const 20))))
            (i32.store (local.get $at) (local.get $area))
            (i32.store offset=4 (local.get $at) (local.get $x0))
            ;; The first pixel found is the component's topmost.
            (i32.store offset=8 (local.get $at) (i32.div_u (local.get $start) (local.get $w)))
            (i32.store offset=12 (local.get $at) (local.get $x1))
            (i32.store offset=16 (local.get $at) (local.get $y1))))))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (br $scan)))
    (local.get $count))

  ;; PNG decoding (src/codecs/png.ts): undoes the per-line filters (PNG spec §9) of `height` lines at `raw`, each
  ;; a filter byte then `stride` bytes, into rows without filter bytes at `out`; `bpp` is the distance to the
  ;; left neighbour. `first` is 1 if these are the image's first lines, else the row above them is at
  ;; out − stride. Returns −1, or the first line whose filter type is not 0 to 4.
  (func (export "unfilter") (param $raw i32) (param $stride i32) (param $height i32) (param $bpp i32) (param $out i32) (param $first i32) (result i32)
    (local $y i32) (local $filter i32) (local $src i32) (local $row i32) (local $up i32) (local $x i32)
    (local $a i32) (local $b i32) (local $c i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $pred i32) (local $above i32)
    (block $linesDone
      (loop $line
        (br_if $linesDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $filter (i32.load8_u (local.get $raw)))
        (local.set $src (i32.add (local.get $raw) (i32.const 1)))
        (local.set $row (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $stride))))
        (local.set $up (i32.sub (local.get $row) (local.get $stride)))
        (if (i32.gt_u (local.get $filter) (i32.const 4)) (then (return (local.get $y))))
        ;; The image's first line has nothing above it: Up is None there, Average and Paeth see zeros above.
        (local.set $above (i32.or (i32.ne (local.get $y) (i32.const 0)) (i32.eqz (local.get $first))))
        (if (i32.and (i32.eqz (local.get $above)) (i32.eq (local.get $filter) (i32.const 2))) (then (local.set $filter (i32.const 0))))
        (local.set $x (i32.const 0))
        (if (i32.eq (local.get $filter) (i32.const 2))
          (then
            (block $done16
              (loop $next16
                (br_if $done16 (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (local.get $stride)))
                (v128.store (i32.add (local.get $row) (local.get $x))
                  (i8x16.add (v128.load (i32.add (local.get $src) (local.get $x))) (v128.load (i32.add (local.get $up) (local.get $x)))))
                (local.set $x (i32.add (local.get $x) (i32.const 16)))
                (br $next16)))))
        (if (i32.eqz (local.get $filter))
          (then
            (block $done16
              (loop $next16
                (br_if $done16 (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (local.get $stride)))
                (v128.store (i32.add (local.get $row) (local.get $x)) (v128.load (i32.add (local.get $src) (local.get $x))))
                (local.set $x (i32.add (local.get $x) (i32.const 16)))
                (br $next16)))))
        ;; The rest of the line, a byte at a time: a = left, b = above, c = above left (0 outside the image).
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $x) (local.get $stride)))
            (local.set $a (select (i32.load8_u (i32.sub (i32.add (local.get $row) (local.get $x)) (local.get $bpp))) (i32.const 0) (i32.ge_u (local.get $x) (local.get $bpp))))
            (local.set $b (select (i32.load8_u (i32.add (local.get $up) (local.get $x))) (i32.const 0) (local.get $above)))
            (local.set $c
              (select (i32.load8_u (i32.sub (i32.add (local.get $up) (local.get $x)) (local.get $bpp))) (i32.const 0)
                (i32.and (i32.ge_u (local.get $x) (local.get $bpp)) (local.get $above))))
            (local.set $pred
              (if (result i32) (i32.eqz (local.get $filter))
                (then (i32.const 0))
                (else
                  (if (result i32) (i32.eq (local.get $filter) (i32.const 1))
                    (then (local.get $a))
                    (else
                      (if (result i32) (i32.eq (local.get $filter) (i32.const 2))
                        (then (local.get $b))
                        (else
                          (if (result i32) (i32.eq (local.get $filter) (i32.const 3))
                            (then (i32.shr_u (i32.add (local.get $a) (local.get $b)) (i32.const 1)))
                            (else
                              ;; Paeth: whichever of a, b, c is nearest a + b − c, in that order on a tie.
                              (local.set $pa (i32.sub (local.get $b) (local.get $c)))
                              (local.set $pa (select (local.get $pa) (i32.sub (i32.const 0) (local.get $pa)) (i32.ge_s (local.get $pa) (i32.const 0))))
                              (local.set $pb (i32.sub (local.get $a) (local.get $c)))
                              (local.set $pb (select (local.get $pb) (i32.sub (i32.const 0) (local.get $pb)) (i32.ge_s (local.get $pb) (i32.const 0))))
                              (local.set $pc (i32.sub (i32.add (local.get $a) (local.get $b)) (i32.shl (local.get $c) (i32.const 1))))
                              (local.set $pc (select (local.get $pc) (i32.sub (i32.const 0) (local.get $pc)) (i32.ge_s (local.get $pc) (i32.const 0))))
                              (select (local.get $a)
                                (select (local.get $b) (local.get $c) (i32.le_s (local.get $pb) (local.get $pc)))
                                (i32.and (i32.le_s (local.get $pa) (local.get $pb)) (i32.le_s (local.get $pa) (local.get $pc)))))))))))))
            (i32.store8 (i32.add (local.get $row) (local.get $x))
              (i32.add (i32.load8_u (i32.add (local.get $src) (local.get $x))) (local.get $pred)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $next)))
        (local.set $raw (i32.add (local.get $src) (local.get $stride)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $line)))
    (i32.const -1))

  ;; Area-averaging resize of the sw-wide float32 image at `src` to dw × dh at `out`: output pixel (x, y) is
  ;; Σ src × weight_x × weight_y / norm over the source pixels it covers, in float64, rows outer and columns
  ;; inner, rounded once. The spans are worked out by the caller for each output column and row: `cols` and
  ;; `rows` each hold first (int32, one per output pixel and one more), then source (int32) and weight (float64)
  ;; per covered pixel, at the byte offsets given.
  (func (export "areaResize") (param $src i32) (param $sw i32) (param $dw i32) (param $dh i32)
    (param $colFirst i32) (param $colSource i32) (param $colWeight i32)
    (param $rowFirst i32) (param $rowSource i32) (param $rowWeight i32) (param $norm f64) (param $out i32)
    (local $x i32) (local $y i32) (local $r i32) (local $rn i32) (local $c i32) (local $c0 i32) (local $cn i32)
    (local $row i32) (local $s f64) (local $wy f64)
    (block $rowsDone
      (loop $outRow
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $dh)))
        (local.set $x (i32.const 0))
        (block $colsDone
          (loop $outCol
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $dw)))
            (local.set $c0 (i32.load (i32.add (local.get $colFirst) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $cn (i32.load offset=4 (i32.add (local.get $colFirst) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $r (i32.load (i32.add (local.get $rowFirst) (i32.shl (local.get $y) (i32.const 2)))))
            (local.set $rn (i32.load offset=4 (i32.add (local.get $rowFirst) (i32.shl (local.get $y) (i32.const 2)))))
            (local.set $s (f64.const 0))
            (block $spanDone
              (loop $span
                (br_if $spanDone (i32.ge_u (local.get $r) (local.get $rn)))
                (local.set $wy (f64.load (i32.add (local.get $rowWeight) (i32.shl (local.get $r) (i32.const 3)))))
                (local.set $row
                  (i32.add (local.get $src)
                    (i32.shl (i32.mul (i32.load (i32.add (local.get $rowSource) (i32.shl (local.get $r) (i32.const 2)))) (local.get $sw)) (i32.const 2))))
                (local.set $c (local.get $c0))
                (block $pixelsDone
                  (loop $pixel
                    (br_if $pixelsDone (i32.ge_u (local.get $c) (local.get $cn)))
                    (local.set $s
                      (f64.add (local.get $s)
                        (f64.mul
                          (f64.mul
                            (f64.promote_f32
                              (f32.load (i32.add (local.get $row) (i32.shl (i32.load (i32.add (local.get $colSource) (i32.shl (local.get $c) (i32.const 2)))) (i32.const 2)))))
                            (f64.load (i32.add (local.get $colWeight) (i32.shl (local.get $c) (i32.const 3)))))
                          (local.get $wy))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $pixel)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $span)))
            (f32.store (local.get $out) (f32.demote_f64 (f64.div (local.get $s) (local.get $norm))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $outCol)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $outRow))))

  ;; Bilinear resize of the sw-wide float32 image at `src` to dw × dh at `out`, over sample positions the caller
  ;; works out: for each output column its two source columns (int32 at `left`, `right`) and the weight of the
  ;; right one (float64 at `weight`), and likewise for each output row (`top`, `bottom`, `down`). Each source
  ;; row is interpolated along x in float64 into one of the two dw-long float64 rows at `rows` (kept while the
  ;; output rows lie between the same two source rows), then the two along y, rounded once.
  (func (export "bilinearResize") (param $src i32) (param $sw i32) (param $dw i32) (param $dh i32)
    (param $left i32) (param $right i32) (param $weight i32) (param $top i32) (param $bottom i32) (param $down i32)
    (param $rows i32) (param $out i32)
    (local $y i32) (local $x i32) (local $upper i32) (local $lower i32) (local $upperRow i32) (local $lowerRow i32)
    (local $y0 i32) (local $y1 i32) (local $swap i32) (local $fy f64)
    (local.set $upper (local.get $rows))
    (local.set $lower (i32.add (local.get $rows) (i32.shl (local.get $dw) (i32.const 3))))
    (local.set $upperRow (i32.const -1))
    (local.set $lowerRow (i32.const -1))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $dh)))
        (local.set $y0 (i32.load (i32.add (local.get $top) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $y1 (i32.load (i32.add (local.get $bottom) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $fy (f64.load (i32.add (local.get $down) (i32.shl (local.get $y) (i32.const 3)))))
        (if (i32.ne (local.get $y0) (local.get $upperRow))
          (then
            ;; Moving down one source row: the row below becomes the row above.
            (if (i32.eq (local.get $y0) (local.get $lowerRow))
              (then
                (local.set $swap (local.get $upper))
                (local.set $upper (local.get $lower))
                (local.set $lower (local.get $swap))
                (local.set $lowerRow (i32.const -1)))
              (else (call $along (local.get $src) (local.get $sw) (local.get $y0) (local.get $dw) (local.get $left) (local.get $right) (local.get $weight) (local.get $upper))))
            (local.set $upperRow (local.get $y0))))
        (if (i32.ne (local.get $y1) (local.get $lowerRow))
          (then
            (call $along (local.get $src) (local.get $sw) (local.get $y1) (local.get $dw) (local.get $left) (local.get $right) (local.get $weight) (local.get $lower))
            (local.set $lowerRow (local.get $y1))))
        (local.set $x (i32.const 0))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $dw)))
            (f32.store (local.get $out)
              (f32.demote_f64
                (f64.add
                  (f64.mul (f64.sub (f64.const 1) (local.get $fy)) (f64.load (i32.add (local.get $upper) (i32.shl (local.get $x) (i32.const 3)))))
                  (f64.mul (local.get $fy) (f64.load (i32.add (local.get $lower) (i32.shl (local.get $x) (i32.const 3))))))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $col)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; Source row `r` interpolated along x into the dw float64 at `into` (see bilinearResize).
  (func $along (param $src i32) (param $sw i32) (param $r i32) (param $dw i32) (param $left i32) (param $right i32) (param $weight i32) (param $into i32)
    (local $x i32) (local $row i32) (local $w f64)
    (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $sw)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $dw)))
        (local.set $w (f64.load (i32.add (local.get $weight) (i32.shl (local.get $x) (i32.const 3)))))
        (f64.store (i32.add (local.get $into) (i32.shl (local.get $x) (i32.const 3)))
          (f64.add
            (f64.mul (f64.sub (f64.const 1) (local.get $w))
              (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (i32.load (i32.add (local.get $left) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 2))))))
            (f64.mul (local.get $w)
              (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (i32.load (i32.add (local.get $right) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 2))))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $next))))

  ;; Running max along one axis of a float32 image: `lines` lines of `count` pixels at `src`, the first pixels of
  ;; neighbouring lines `stride` bytes apart and the pixels of a line `step` bytes apart; out[i] = the max over
  ;; [i − r, i + r] clipped to the line, in O(1) a pixel whatever r (van Herk, Gil and Werman): the line is cut
  ;; into blocks of 2r + 1, each with its running max from its start and from its end (`count` float32 each
  ;; at `fromStart` and `fromEnd`, followed by 12 × count bytes for the plan below), and any window spans at most
  ;; two blocks.
  (func (export "maxAxis") (param $src i32) (param $out i32) (param $lines i32) (param $count i32) (param $r i32) (param $step i32) (param $stride i32)
    (param $fromStart i32) (param $fromEnd i32)
    (local $l i32) (local $o i32) (local $k i32) (local $b0 i32) (local $b1 i32) (local $i i32) (local $a i32) (local $b i32) (local $m f32)
    (local $plan i32) (local $p i32)
    (local.set $k (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.const 1)))
    ;; Where each window's max is read, the same for every line: at `plan` + 12 i, the addresses of
    ;; fromEnd[a] and fromStart[b] for the window [a, b], and how to read them: 0 the max of both (two blocks),
    ;; 1 fromStart[b] alone (one block, from its start), 2 fromEnd[a] alone (one block, to its or the line's end).
    (local.set $plan (i32.add (local.get $fromEnd) (i32.shl (local.get $count) (i32.const 2))))
    (block $planned
      (loop $planning
        (br_if $planned (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $a (select (i32.sub (local.get $i) (local.get $r)) (i32.const 0) (i32.gt_s (local.get $i) (local.get $r))))
        (local.set $b (i32.add (local.get $i) (local.get $r)))
        (if (i32.ge_u (local.get $b) (local.get $count)) (then (local.set $b (i32.sub (local.get $count) (i32.const 1)))))
        (local.set $p (i32.add (local.get $plan) (i32.mul (local.get $i) (i32.const 12))))
        (i32.store (local.get $p) (i32.add (local.get $fromEnd) (i32.shl (local.get $a) (i32.const 2))))
        (i32.store offset=4 (local.get $p) (i32.add (local.get $fromStart) (i32.shl (local.get $b) (i32.const 2))))
        (i32.store offset=8 (local.get $p)
          (select (i32.const 0)
            (select (i32.const 1) (i32.const 2) (i32.eqz (i32.rem_u (local.get $a) (local.get $k))))
            (i32.ne (i32.div_u (local.get $a) (local.get $k)) (i32.div_u (local.get $b) (local.get $k)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $planning)))
    (block $linesDone
      (loop $line
        (br_if $linesDone (i32.ge_u (local.get $l) (local.get $lines)))
        (local.set $o (i32.mul (local.get $l) (local.get $stride)))
        (local.set $b0 (i32.const 0))
        (block $blocksDone
          (loop $block
            (br_if $blocksDone (i32.ge_u (local.get $b0) (local.get $count)))
            (local.set $b1 (i32.sub (select (local.get $count) (i32.add (local.get $b0) (local.get $k)) (i32.lt_u (local.get $count) (i32.add (local.get $b0) (local.get $k)))) (i32.const 1)))
            (local.set $m (f32.load (i32.add (i32.add (local.get $src) (local.get $o)) (i32.mul (local.get $b0) (local.get $step)))))
            (f32.store (i32.add (local.get $fromStart) (i32.shl (local.get $b0) (i32.const 2))) (local.get $m))
            (local.set $i (i32.add (local.get $b0) (i32.const 1)))
            (block $upDone
              (loop $up
                (br_if $upDone (i32.gt_u (local.get $i) (local.get $b1)))
                (local.set $m (f32.max (local.get $m) (f32.load (i32.add (i32.add (local.get $src) (local.get $o)) (i32.mul (local.get $i) (local.get $step))))))
                (f32.store (i32.add (local.get $fromStart) (i32.shl (local.get $i) (i32.const 2))) (local.get $m))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $up)))
            (local.set $m (f32.load (i32.add (i32.add (local.get $src) (local.get $o)) (i32.mul (local.get $b1) (local.get $step)))))
            (f32.store (i32.add (local.get $fromEnd) (i32.shl (local.get $b1) (i32.const 2))) (local.get $m))
            (local.set $i (local.get $b1))
            (block $downDone
              (loop $down
                (br_if $downDone (i32.le_s (local.get $i) (local.get $b0)))
                (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                (local.set $m (f32.max (local.get $m) (f32.load (i32.add (i32.add (local.get $src) (local.get $o)) (i32.mul (local.get $i) (local.get $step))))))
                (f32.store (i32.add (local.get $fromEnd) (i32.shl (local.get $i) (i32.const 2))) (local.get $m))
                (br $down)))
            (local.set $b0 (i32.add (local.get $b0) (local.get $k)))
            (br $block)))
        (local.set $i (i32.const 0))
        (block $pixelsDone
          (loop $pixel
            (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $p (i32.add (local.get $plan) (i32.mul (local.get $i) (i32.const 12))))
            (local.set $a (i32.load (local.get $p)))
            (local.set $b (i32.load offset=4 (local.get $p)))
            (f32.store (i32.add (i32.add (local.get $out) (local.get $o)) (i32.mul (local.get $i) (local.get $step)))
              (select
                (f32.max (f32.load (local.get $a)) (f32.load (local.get $b)))
                (f32.load (select (local.get $b) (local.get $a) (i32.eq (i32.load offset=8 (local.get $p)) (i32.const 1))))
                (i32.eqz (i32.load offset=8 (local.get $p)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pixel)))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $line))))

;; Running max along one axis for a small radius (lines, count, step and stride as in maxAxis), read straight
  ;; from each window [i − r, i + r] clipped to the line: four lines at a time when neighbouring lines are 4 bytes
  ;; apart (an image's columns), four pixels of a line at a time when a line's pixels are (its rows), one by one
  ;; at a line's ends and for other layouts. No plan and no block maxima, so for r up to about 4 it beats
  ;; maxAxis, with the same values: the max of a set is exact whatever the order.
  (func (export "windowMax") (param $src i32) (param $out i32) (param $lines i32) (param $count i32) (param $r i32) (param $step i32) (param $stride i32)
    (local $l i32) (local $i i32) (local $lo i32) (local $hi i32) (local $base i32) (local $p i32) (local $end i32) (local $acc v128) (local $m f32)
    (if (i32.eq (local.get $stride) (i32.const 4))
      (then
        (block $quadsDone
          (loop $quad
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $l) (i32.const 4)) (local.get $lines)))
            (local.set $base (i32.shl (local.get $l) (i32.const 2)))
            (local.set $i (i32.const 0))
            (block $pixelsDone
              (loop $pixel
                (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $count)))
                (local.set $lo (select (i32.sub (local.get $i) (local.get $r)) (i32.const 0) (i32.gt_s (local.get $i) (local.get $r))))
                (local.set $hi (i32.add (local.get $i) (local.get $r)))
                (if (i32.ge_u (local.get $hi) (local.get $count)) (then (local.set $hi (i32.sub (local.get $count) (i32.const 1)))))
                (local.set $p (i32.add (i32.add (local.get $src) (local.get $base)) (i32.mul (local.get $lo) (local.get $step))))
                (local.set $end (i32.add (i32.add (local.get $src) (local.get $base)) (i32.mul (local.get $hi) (local.get $step))))
                (local.set $acc (v128.load (local.get $p)))
                (block $windowDone
                  (loop $window
                    (br_if $windowDone (i32.ge_u (local.get $p) (local.get $end)))
                    (local.set $p (i32.add (local.get $p) (local.get $step)))
                    (local.set $acc (f32x4.max (local.get $acc) (v128.load (local.get $p))))
                    (br $window)))
                (v128.store (i32.add (i32.add (local.get $out) (local.get $base)) (i32.mul (local.get $i) (local.get $step))) (local.get $acc))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $pixel)))
            (local.set $l (i32.add (local.get $l) (i32.const 4)))
            (br $quad)))))
    (block $linesDone
      (loop $line
        (br_if $linesDone (i32.ge_u (local.get $l) (local.get $lines)))
        (local.set $base (i32.mul (local.get $l) (local.get $stride)))
        (local.set $i (i32.const 0))
        (block $pixelsDone
          (loop $pixel
            (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $count)))
            (if (i32.and (i32.eq (local.get $step) (i32.const 4))
                  (i32.and (i32.ge_s (local.get $i) (local.get $r)) (i32.lt_s (i32.add (i32.add (local.get $i) (local.get $r)) (i32.const 3)) (local.get $count))))
              (then
                ;; Four pixels whose windows lie inside the line: each of the 2r + 1 shifts loaded once.
                (local.set $p (i32.add (i32.add (local.get $src) (local.get $base)) (i32.shl (i32.sub (local.get $i) (local.get $r)) (i32.const 2))))
                (local.set $end (i32.add (local.get $p) (i32.shl (local.get $r) (i32.const 3))))
                (local.set $acc (v128.load (local.get $p)))
                (block $windowDone
                  (loop $window
                    (br_if $windowDone (i32.ge_u (local.get $p) (local.get $end)))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (local.set $acc (f32x4.max (local.get $acc) (v128.load (local.get $p))))
                    (br $window)))
                (v128.store (i32.add (i32.add (local.get $out) (local.get $base)) (i32.shl (local.get $i) (i32.const 2))) (local.get $acc))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $pixel)))
            (local.set $lo (select (i32.sub (local.get $i) (local.get $r)) (i32.const 0) (i32.gt_s (local.get $i) (local.get $r))))
            (local.set $hi (i32.add (local.get $i) (local.get $r)))
            (if (i32.ge_u (local.get $hi) (local.get $count)) (then (local.set $hi (i32.sub (local.get $count) (i32.const 1)))))
            (local.set $p (i32.add (i32.add (local.get $src) (local.get $base)) (i32.mul (local.get $lo) (local.get $step))))
            (local.set $end (i32.add (i32.add (local.get $src) (local.get $base)) (i32.mul (local.get $hi) (local.get $step))))
            (local.set $m (f32.load (local.get $p)))
            (block $windowDone
              (loop $window
                (br_if $windowDone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $p (i32.add (local.get $p) (local.get $step)))
                (local.set $m (f32.max (local.get $m) (f32.load (local.get $p))))
                (br $window)))
            (f32.store (i32.add (i32.add (local.get $out) (local.get $base)) (i32.mul (local.get $i) (local.get $step))) (local.get $m))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pixel)))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $line))))

  ;; Box mean along one axis (lines, step and stride as in maxAxis): out[i] = the mean over [i − r, i + r]
  ;; clipped to the line, a running float64 sum, rounded once.
  (func (export "blurAxis") (param $src i32) (param $out i32) (param $lines i32) (param $count i32) (param $r i32) (param $step i32) (param $stride i32)
    (local $l i32) (local $o i32) (local $i i32) (local $n i32) (local $add i32) (local $drop i32) (local $sum f64)
    (block $linesDone
      (loop $line
        (br_if $linesDone (i32.ge_u (local.get $l) (local.get $lines)))
        (local.set $o (i32.add (local.get $src) (i32.mul (local.get $l) (local.get $stride))))
        (local.set $sum (f64.const 0))
        (local.set $n (i32.const 0))
        (local.set $i (i32.const 0))
        (block $startDone
          (loop $start
            (br_if $startDone (i32.or (i32.ge_s (local.get $i) (local.get $r)) (i32.ge_s (local.get $i) (local.get $count))))
            (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.load (i32.add (local.get $o) (i32.mul (local.get $i) (local.get $step)))))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $start)))
        (local.set $i (i32.const 0))
        (block $pixelsDone
          (loop $pixel
            (br_if $pixelsDone (i32.ge_s (local.get $i) (local.get $count)))
            (local.set $add (i32.add (local.get $i) (local.get $r)))
            (local.set $drop (i32.sub (i32.sub (local.get $i) (local.get $r)) (i32.const 1)))
            (if (i32.lt_s (local.get $add) (local.get $count))
              (then
                (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.load (i32.add (local.get $o) (i32.mul (local.get $add) (local.get $step)))))))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))))
            (if (i32.ge_s (local.get $drop) (i32.const 0))
              (then
                (local.set $sum (f64.sub (local.get $sum) (f64.promote_f32 (f32.load (i32.add (local.get $o) (i32.mul (local.get $drop) (local.get $step)))))))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))))
            (f32.store (i32.add (i32.add (local.get $out) (i32.mul (local.get $l) (local.get $stride))) (i32.mul (local.get $i) (local.get $step)))
              (f32.demote_f64 (f64.div (local.get $sum) (f64.convert_i32_s (local.get $n)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pixel)))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $line))))

  ;; out = max(a, b) for the `n` float32 of each.
  (func (export "maxOf") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $at i32) (local $end i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (f32x4.max (v128.load (i32.add (local.get $a) (local.get $at))) (v128.load (i32.add (local.get $b) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next4)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $at) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (f32.max (f32.load (i32.add (local.get $a) (local.get $at))) (f32.load (i32.add (local.get $b) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next1))))

  ;; lit[i] = (lit[i] / 255 + background × clear[i]) × scale for the n blocks, in float64 rounded to float32 once:
  ;; the blocks' sums as luminance in [0, 1], transparency composited onto the background (0 or 1).
  (func (export "greyFinish") (param $lit i32) (param $clear i32) (param $n i32) (param $background f64) (param $scale f64)
    (local $at i32) (local $end i32) (local $b v128) (local $s v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $b (f64x2.splat (local.get $background)))
    (local.set $s (f64x2.splat (local.get $scale)))
    (block $done2
      (loop $next2
        (br_if $done2 (i32.gt_u (i32.add (local.get $at) (i32.const 8)) (local.get $end)))
        (v128.store64_lane 0 (i32.add (local.get $lit) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.mul
              (f64x2.add
                (f64x2.div (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $lit) (local.get $at)))) (v128.const f64x2 255 255))
                (f64x2.mul (local.get $b) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $clear) (local.get $at))))))
              (local.get $s))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $next2)))
    (if (i32.lt_u (local.get $at) (local.get $end))
      (then
        (f32.store (i32.add (local.get $lit) (local.get $at))
          (f32.demote_f64
            (f64.mul
              (f64.add
                (f64.div (f64.promote_f32 (f32.load (i32.add (local.get $lit) (local.get $at)))) (f64.const 255))
                (f64.mul (local.get $background) (f64.promote_f32 (f32.load (i32.add (local.get $clear) (local.get $at))))))
              (local.get $scale)))))))
)
