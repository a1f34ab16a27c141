;; WebAssembly back end of the CPU rasterizer (rasterize.ts): the z-buffer pass and the resolve pass. A port of the
;; JS functions drawTriangles / drawLarge / spanStart / spanEnd / resolve* there with the same IEEE double
;; arithmetic in the same order, and of drawSmall in i32x4 lanes (4 pixels of a row per step; integer edge
;; values and the same key formula, so still exact): results are bit-identical to the JS path.
;; Regenerate raster-wasm-bytes.ts after editing: node packages/core/scripts/gen-wasm.mjs raster (wabt).
;;
;; Why: in a process where any ArrayBuffer has been detached (every WebAssembly.Memory.grow does it), V8 checks
;; for detachment on every optimised typed-array access, which made the per-pixel JS loops 10-15% slower.
;; Wasm memory accesses carry no such check (nor bounds checks), and the small-triangle loop gains from SIMD.
;;
;; Layout (byte offsets chosen by the caller): vs f64 x 3 per vertex (fixed-point u, v, key); tris u32 x 3;
;; ts f64 x 9 per triangle; zq i32 per pixel; ids i32 per pixel; depth f32 per pixel; bary f32 x 3 per pixel.
;; zq and ids must be followed by at least 12 spare bytes (the SIMD loop reads and rewrites up to 3 pixels
;; past a row's end).
(module
  (memory (export "memory") 1)

  ;; JS `x | 0` is written inline (calls are not inlined) as i32.wrap_i64 (i64.trunc_sat_f64_s x): exact for
  ;; |x| < 2^63, and NaN -> 0.

  ;; Smallest k >= -2^31 with w + k * sx >= 0, for sx > 0.
  (func $spanStart (param $w f64) (param $sx f64) (param $inv f64) (result i32)
    (local $k f64)
    (local.set $k (f64.ceil (f64.mul (f64.neg (local.get $w)) (local.get $inv))))
    (if (f64.ge (f64.add (local.get $w) (f64.mul (f64.sub (local.get $k) (f64.const 1)) (local.get $sx))) (f64.const 0))
      (then (local.set $k (f64.sub (local.get $k) (f64.const 1))))
      (else
        (if (f64.lt (f64.add (local.get $w) (f64.mul (local.get $k) (local.get $sx))) (f64.const 0))
          (then (local.set $k (f64.add (local.get $k) (f64.const 1)))))))
    (if (result i32) (f64.lt (local.get $k) (f64.const -2147483648))
      (then (i32.const -2147483648))
      (else (i32.wrap_i64 (i64.trunc_sat_f64_s (local.get $k))))))

  ;; Largest k with w + k * sx >= 0, for sx < 0.
  (func $spanEnd (param $w f64) (param $sx f64) (param $inv f64) (result i32)
    (local $k f64)
    (local.set $k (f64.floor (f64.mul (f64.neg (local.get $w)) (local.get $inv))))
    (if (f64.ge (f64.add (local.get $w) (f64.mul (f64.add (local.get $k) (f64.const 1)) (local.get $sx))) (f64.const 0))
      (then (local.set $k (f64.add (local.get $k) (f64.const 1))))
      (else
        (if (f64.lt (f64.add (local.get $w) (f64.mul (local.get $k) (local.get $sx))) (f64.const 0))
          (then (local.set $k (f64.sub (local.get $k) (f64.const 1)))))))
    (if (result i32) (f64.gt (local.get $k) (f64.const 2147483647))
      (then (i32.const 2147483647))
      (else (i32.wrap_i64 (i64.trunc_sat_f64_s (local.get $k))))))

  ;; Small triangles: every pixel of the bounding box, 4 pixels of a row per step in i32x4 lanes, without
  ;; branches per pixel: coverage (three edge values >= 0, and column <= spanX) and the depth test become lane
  ;; masks. Edge values stay below 2^30 (box < 64 px each way), so i32 lanes are exact. The quantised key of
  ;; pixel (c, r) is (key + r ky) + c kx truncated, as in the JS drawSmall. Lanes past the row's end are masked
  ;; and rewrite the values they read (the caller pads the arrays by more than 3 pixels).
  (func $drawSmall
    (param $t i32) (param $width i32) (param $minX i32) (param $minY i32) (param $spanX i32) (param $spanY i32)
    (param $w0f f64) (param $w1f f64) (param $w2f f64)
    (param $sx0f f64) (param $sx1f f64) (param $sx2f f64) (param $sy0f f64) (param $sy1f f64) (param $sy2f f64)
    (param $key f64) (param $kx f64) (param $ky f64) (param $ids i32) (param $zq i32)
    (local $sx0 i32) (local $sx1 i32) (local $sx2 i32) (local $sy0 i32) (local $sy1 i32) (local $sy2 i32)
    (local $r i32) (local $c i32) (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $addr i32)
    (local $kRow f64) (local $cf f64)
    (local $lane v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $st0 v128) (local $st1 v128)
    (local $st2 v128) (local $span v128) (local $col v128) (local $kxv v128) (local $kRowV v128)
    (local $kq v128) (local $old v128) (local $m v128) (local $tv v128)
    (local.set $sx0 (i32.trunc_sat_f64_s (local.get $sx0f)))
    (local.set $sx1 (i32.trunc_sat_f64_s (local.get $sx1f)))
    (local.set $sx2 (i32.trunc_sat_f64_s (local.get $sx2f)))
    (local.set $sy0 (i32.trunc_sat_f64_s (local.get $sy0f)))
    (local.set $sy1 (i32.trunc_sat_f64_s (local.get $sy1f)))
    (local.set $sy2 (i32.trunc_sat_f64_s (local.get $sy2f)))
    (local.set $w0 (i32.trunc_sat_f64_s (local.get $w0f)))
    (local.set $w1 (i32.trunc_sat_f64_s (local.get $w1f)))
    (local.set $w2 (i32.trunc_sat_f64_s (local.get $w2f)))
    (local.set $lane (v128.const i32x4 0 1 2 3))
    (local.set $st0 (i32x4.splat (i32.shl (local.get $sx0) (i32.const 2))))
    (local.set $st1 (i32x4.splat (i32.shl (local.get $sx1) (i32.const 2))))
    (local.set $st2 (i32x4.splat (i32.shl (local.get $sx2) (i32.const 2))))
    (local.set $span (i32x4.splat (local.get $spanX)))
    (local.set $kxv (f64x2.splat (local.get $kx)))
    (local.set $tv (i32x4.splat (local.get $t)))
    (loop $rows
      ;; kRow = key + r * ky
      (local.set $kRow (f64.add (local.get $key) (f64.mul (f64.convert_i32_s (local.get $r)) (local.get $ky))))
      (local.set $kRowV (f64x2.splat (local.get $kRow)))
      (local.set $e0 (i32x4.add (i32x4.splat (local.get $w0)) (i32x4.mul (local.get $lane) (i32x4.splat (local.get $sx0)))))
      (local.set $e1 (i32x4.add (i32x4.splat (local.get $w1)) (i32x4.mul (local.get $lane) (i32x4.splat (local.get $sx1)))))
      (local.set $e2 (i32x4.add (i32x4.splat (local.get $w2)) (i32x4.mul (local.get $lane) (i32x4.splat (local.get $sx2)))))
      (local.set $col (local.get $lane))
      (local.set $c (i32.const 0))
      (local.set $addr (i32.shl
        (i32.add (i32.mul (i32.add (local.get $minY) (local.get $r)) (local.get $width)) (local.get $minX))
        (i32.const 2)))
      (loop $cols
        (local.set $cf (f64.convert_i32_s (local.get $c)))
        ;; keys of columns c .. c+3: kRow + col * kx, truncated like JS `| 0` (|k| < 2^30 here)
        (local.set $kq (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (local.get $kRowV) (f64x2.mul
            (f64x2.add (f64x2.splat (local.get $cf)) (v128.const f64x2 0 1)) (local.get $kxv))))
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (local.get $kRowV) (f64x2.mul
            (f64x2.add (f64x2.splat (local.get $cf)) (v128.const f64x2 2 3)) (local.get $kxv))))))
        (local.set $old (v128.load align=4 (i32.add (local.get $zq) (local.get $addr))))
        (local.set $m (v128.and
          (v128.and
            (v128.not (i32x4.shr_s (v128.or (v128.or (local.get $e0) (local.get $e1)) (local.get $e2)) (i32.const 31)))
            (i32x4.le_s (local.get $col) (local.get $span)))
          (i32x4.lt_s (local.get $kq) (local.get $old))))
        (v128.store align=4 (i32.add (local.get $zq) (local.get $addr))
          (v128.bitselect (local.get $kq) (local.get $old) (local.get $m)))
        (v128.store align=4 (i32.add (local.get $ids) (local.get $addr))
          (v128.bitselect (local.get $tv) (v128.load align=4 (i32.add (local.get $ids) (local.get $addr))) (local.get $m)))
        (local.set $e0 (i32x4.add (local.get $e0) (local.get $st0)))
        (local.set $e1 (i32x4.add (local.get $e1) (local.get $st1)))
        (local.set $e2 (i32x4.add (local.get $e2) (local.get $st2)))
        (local.set $col (i32x4.add (local.get $col) (v128.const i32x4 4 4 4 4)))
        (local.set $addr (i32.add (local.get $addr) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br_if $cols (i32.le_s (local.get $c) (local.get $spanX))))
      (local.set $w0 (i32.add (local.get $w0) (local.get $sy0)))
      (local.set $w1 (i32.add (local.get $w1) (local.get $sy1)))
      (local.set $w2 (i32.add (local.get $w2) (local.get $sy2)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rows (i32.le_s (local.get $r) (local.get $spanY)))))

  (func $drawLarge
    (param $t i32) (param $width i32) (param $minX i32) (param $minY i32) (param $spanX i32) (param $spanY i32)
    (param $w0Row f64) (param $w1Row f64) (param $w2Row f64)
    (param $sx0 f64) (param $sx1 f64) (param $sx2 f64) (param $sy0 f64) (param $sy1 f64) (param $sy2 f64)
    (param $key f64) (param $kx f64) (param $ky f64) (param $ids i32) (param $zq i32)
    (local $i0 f64) (local $i1 f64) (local $i2 f64) (local $y i32) (local $lo i32) (local $hi i32) (local $s i32)
    (local $p i32) (local $pEnd i32) (local $k f64) (local $kq i32) (local $addr i32)
    (local.set $i0 (f64.div (f64.const 1) (local.get $sx0)))
    (local.set $i1 (f64.div (f64.const 1) (local.get $sx1)))
    (local.set $i2 (f64.div (f64.const 1) (local.get $sx2)))
    (block $rowsDone
      (br_if $rowsDone (i32.gt_s (local.get $y) (local.get $spanY)))
      (loop $rows
        (block $nextRow
          (local.set $lo (i32.const 0))
          (local.set $hi (local.get $spanX))
          (if (f64.gt (local.get $sx0) (f64.const 0))
            (then
              (local.set $s (call $spanStart (local.get $w0Row) (local.get $sx0) (local.get $i0)))
              (if (i32.gt_s (local.get $s) (local.get $lo)) (then (local.set $lo (local.get $s)))))
            (else (if (f64.lt (local.get $sx0) (f64.const 0))
              (then
                (local.set $s (call $spanEnd (local.get $w0Row) (local.get $sx0) (local.get $i0)))
                (if (i32.lt_s (local.get $s) (local.get $hi)) (then (local.set $hi (local.get $s)))))
              (else (br_if $nextRow (f64.lt (local.get $w0Row) (f64.const 0)))))))
          (if (f64.gt (local.get $sx1) (f64.const 0))
            (then
              (local.set $s (call $spanStart (local.get $w1Row) (local.get $sx1) (local.get $i1)))
              (if (i32.gt_s (local.get $s) (local.get $lo)) (then (local.set $lo (local.get $s)))))
            (else (if (f64.lt (local.get $sx1) (f64.const 0))
              (then
                (local.set $s (call $spanEnd (local.get $w1Row) (local.get $sx1) (local.get $i1)))
                (if (i32.lt_s (local.get $s) (local.get $hi)) (then (local.set $hi (local.get $s)))))
              (else (br_if $nextRow (f64.lt (local.get $w1Row) (f64.const 0)))))))
          (if (f64.gt (local.get $sx2) (f64.const 0))
            (then
              (local.set $s (call $spanStart (local.get $w2Row) (local.get $sx2) (local.get $i2)))
              (if (i32.gt_s (local.get $s) (local.get $lo)) (then (local.set $lo (local.get $s)))))
            (else (if (f64.lt (local.get $sx2) (f64.const 0))
              (then
                (local.set $s (call $spanEnd (local.get $w2Row) (local.get $sx2) (local.get $i2)))
                (if (i32.lt_s (local.get $s) (local.get $hi)) (then (local.set $hi (local.get $s)))))
              (else (br_if $nextRow (f64.lt (local.get $w2Row) (f64.const 0)))))))
          (br_if $nextRow (i32.gt_s (local.get $lo) (local.get $hi)))
          ;; k = key + y * ky + lo * kx
          (local.set $k (f64.add
            (f64.add (local.get $key) (f64.mul (f64.convert_i32_s (local.get $y)) (local.get $ky)))
            (f64.mul (f64.convert_i32_s (local.get $lo)) (local.get $kx))))
          (local.set $p (i32.add
            (i32.add (i32.mul (i32.add (local.get $minY) (local.get $y)) (local.get $width)) (local.get $minX))
            (local.get $lo)))
          (local.set $pEnd (i32.add (local.get $p) (i32.sub (local.get $hi) (local.get $lo))))
          (loop $span
            (local.set $kq (i32.wrap_i64 (i64.trunc_sat_f64_s (local.get $k))))
            (local.set $addr (i32.shl (local.get $p) (i32.const 2)))
            (if (i32.lt_s (local.get $kq) (i32.load (i32.add (local.get $zq) (local.get $addr))))
              (then
                (i32.store (i32.add (local.get $zq) (local.get $addr)) (local.get $kq))
                (i32.store (i32.add (local.get $ids) (local.get $addr)) (local.get $t))))
            (local.set $k (f64.add (local.get $k) (local.get $kx)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $span (i32.le_s (local.get $p) (local.get $pEnd)))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (local.set $w0Row (f64.add (local.get $w0Row) (local.get $sy0)))
        (local.set $w1Row (f64.add (local.get $w1Row) (local.get $sy1)))
        (local.set $w2Row (f64.add (local.get $w2Row) (local.get $sy2)))
        (br_if $rows (i32.le_s (local.get $y) (local.get $spanY))))))

;; Index of the first of `count` u32 values at `tris` that is >= nv (unsigned), or -1.
  (func (export "check") (param $tris i32) (param $count i32) (param $nv i32) (result i32)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $count)))
        (if (i32.ge_u (i32.load (i32.add (local.get $tris) (i32.shl (local.get $i) (i32.const 2)))) (local.get $nv))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const -1))

    ;; Fills zq with the empty key and ids with -1 for n pixels.
  (func (export "clear") (param $zq i32) (param $ids i32) (param $n i32) (param $empty i32)
    (local $i i32) (local $e i64)
    (memory.fill (local.get $ids) (i32.const 255) (i32.shl (local.get $n) (i32.const 2)))
    (local.set $e (i64.or (i64.extend_i32_u (local.get $empty)) (i64.shl (i64.extend_i32_u (local.get $empty)) (i64.const 32))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (i64.store (i32.add (local.get $zq) (i32.shl (local.get $i) (i32.const 2))) (local.get $e))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $l)))
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then (i32.store (i32.add (local.get $zq) (i32.shl (local.get $i) (i32.const 2))) (local.get $empty)))))

  (func (export "draw")
    (param $vs i32) (param $tris i32) (param $nt i32) (param $width i32) (param $height i32)
    (param $cull i32) (param $frontSign f64) (param $persp i32) (param $kMin f64) (param $kScale f64)
    (param $ids i32) (param $zq i32) (param $ts i32)
    (local $t i32) (local $ia i32) (local $ib i32) (local $ic i32) (local $o i32)
    (local $wMax f64) (local $hMax f64)
    (local $x0 f64) (local $y0 f64) (local $x1 f64) (local $y1 f64) (local $x2 f64) (local $y2 f64)
    (local $z0 f64) (local $z1 f64) (local $z2 f64) (local $tmp f64)
    (local $sArea f64) (local $area f64)
    (local $minFx f64) (local $maxFx f64) (local $minFy f64) (local $maxFy f64)
    (local $minX f64) (local $maxX f64) (local $minY f64) (local $maxY f64)
    (local $inv f64) (local $u0 f64) (local $v0 f64)
    (local $a1 f64) (local $c1 f64) (local $d1 f64) (local $a2 f64) (local $c2 f64) (local $d2 f64)
    (local $s1 f64) (local $s2 f64) (local $dk1 f64) (local $dk2 f64)
    (local $px f64) (local $py f64)
    (local $e0x f64) (local $e0y f64) (local $e1x f64) (local $e1y f64) (local $e2x f64) (local $e2y f64)
    (local $w0 f64) (local $w1 f64) (local $w2 f64)
    (local $sx0 f64) (local $sx1 f64) (local $sx2 f64) (local $sy0 f64) (local $sy1 f64) (local $sy2 f64)
    (local $kArea f64) (local $dz1 f64) (local $dz2 f64) (local $key f64) (local $kx f64) (local $ky f64)
    (local $spanX f64) (local $spanY f64) (local $kFar f64) (local $kNear f64)
    (local.set $wMax (f64.convert_i32_s (i32.sub (local.get $width) (i32.const 1))))
    (local.set $hMax (f64.convert_i32_s (i32.sub (local.get $height) (i32.const 1))))
    (block $allDone
      (br_if $allDone (i32.le_s (local.get $nt) (i32.const 0)))
      (loop $tri
        (block $next
          (local.set $o (i32.add (local.get $tris) (i32.mul (local.get $t) (i32.const 12))))
          (local.set $ia (i32.add (local.get $vs) (i32.mul (i32.load (local.get $o)) (i32.const 24))))
          (local.set $ib (i32.add (local.get $vs) (i32.mul (i32.load offset=4 (local.get $o)) (i32.const 24))))
          (local.set $ic (i32.add (local.get $vs) (i32.mul (i32.load offset=8 (local.get $o)) (i32.const 24))))
          (local.set $x0 (f64.load (local.get $ia)))
          (local.set $y0 (f64.load offset=8 (local.get $ia)))
          (local.set $x1 (f64.load (local.get $ib)))
          (local.set $y1 (f64.load offset=8 (local.get $ib)))
          (local.set $x2 (f64.load (local.get $ic)))
          (local.set $y2 (f64.load offset=8 (local.get $ic)))
          (local.set $sArea (f64.sub
            (f64.mul (f64.sub (local.get $x1) (local.get $x0)) (f64.sub (local.get $y2) (local.get $y0)))
            (f64.mul (f64.sub (local.get $y1) (local.get $y0)) (f64.sub (local.get $x2) (local.get $x0)))))
          (br_if $next (f64.eq (local.get $sArea) (f64.const 0)))
          (if (local.get $cull)
            (then (br_if $next (f64.lt (f64.mul (local.get $sArea) (local.get $frontSign)) (f64.const 0)))))
          (local.set $z0 (f64.load offset=16 (local.get $ia)))
          (local.set $z1 (f64.load offset=16 (local.get $ib)))
          (local.set $z2 (f64.load offset=16 (local.get $ic)))
          (br_if $next (i32.eqz (i32.and (i32.and
            (f64.eq (f64.sub (local.get $z0) (local.get $z0)) (f64.const 0))
            (f64.eq (f64.sub (local.get $z1) (local.get $z1)) (f64.const 0)))
            (f64.eq (f64.sub (local.get $z2) (local.get $z2)) (f64.const 0)))))
          ;; x0 < x1 ? (x0 < x2 ? x0 : x2) : x1 < x2 ? x1 : x2, and likewise
          (local.set $minFx (if (result f64) (f64.lt (local.get $x0) (local.get $x1))
            (then (select (local.get $x0) (local.get $x2) (f64.lt (local.get $x0) (local.get $x2))))
            (else (select (local.get $x1) (local.get $x2) (f64.lt (local.get $x1) (local.get $x2))))))
          (local.set $maxFx (if (result f64) (f64.gt (local.get $x0) (local.get $x1))
            (then (select (local.get $x0) (local.get $x2) (f64.gt (local.get $x0) (local.get $x2))))
            (else (select (local.get $x1) (local.get $x2) (f64.gt (local.get $x1) (local.get $x2))))))
          (local.set $minFy (if (result f64) (f64.lt (local.get $y0) (local.get $y1))
            (then (select (local.get $y0) (local.get $y2) (f64.lt (local.get $y0) (local.get $y2))))
            (else (select (local.get $y1) (local.get $y2) (f64.lt (local.get $y1) (local.get $y2))))))
          (local.set $maxFy (if (result f64) (f64.gt (local.get $y0) (local.get $y1))
            (then (select (local.get $y0) (local.get $y2) (f64.gt (local.get $y0) (local.get $y2))))
            (else (select (local.get $y1) (local.get $y2) (f64.gt (local.get $y1) (local.get $y2))))))
          (br_if $next (i32.eqz (i32.and (i32.and
            (f64.lt (local.get $maxFx) (f64.const 33554432))
            (f64.lt (local.get $maxFy) (f64.const 33554432)))
            (i32.and
              (f64.gt (local.get $minFx) (f64.const -33554432))
              (f64.gt (local.get $minFy) (f64.const -33554432))))))
          ;; Math.max(0, Math.ceil((minFx - 128) / 256)) etc.
          (local.set $minX (f64.max (f64.const 0) (f64.ceil (f64.mul (f64.sub (local.get $minFx) (f64.const 128)) (f64.const 0.00390625)))))
          (local.set $maxX (f64.min (local.get $wMax) (f64.floor (f64.mul (f64.sub (local.get $maxFx) (f64.const 128)) (f64.const 0.00390625)))))
          (local.set $minY (f64.max (f64.const 0) (f64.ceil (f64.mul (f64.sub (local.get $minFy) (f64.const 128)) (f64.const 0.00390625)))))
          (local.set $maxY (f64.min (local.get $hMax) (f64.floor (f64.mul (f64.sub (local.get $maxFy) (f64.const 128)) (f64.const 0.00390625)))))
          (br_if $next (f64.gt (local.get $minX) (local.get $maxX)))
          (br_if $next (f64.gt (local.get $minY) (local.get $maxY)))

          ;; Planes for the resolve pass.
          (local.set $inv (f64.div (f64.const 256) (local.get $sArea)))
          (local.set $u0 (f64.mul (local.get $x0) (f64.const 0.00390625)))
          (local.set $v0 (f64.mul (local.get $y0) (f64.const 0.00390625)))
          (local.set $a1 (f64.mul (f64.sub (local.get $y2) (local.get $y0)) (local.get $inv)))
          (local.set $c1 (f64.mul (f64.neg (f64.sub (local.get $x2) (local.get $x0))) (local.get $inv)))
          (local.set $d1 (f64.neg (f64.add (f64.mul (local.get $a1) (local.get $u0)) (f64.mul (local.get $c1) (local.get $v0)))))
          (local.set $a2 (f64.mul (f64.neg (f64.sub (local.get $y1) (local.get $y0))) (local.get $inv)))
          (local.set $c2 (f64.mul (f64.sub (local.get $x1) (local.get $x0)) (local.get $inv)))
          (local.set $d2 (f64.neg (f64.add (f64.mul (local.get $a2) (local.get $u0)) (f64.mul (local.get $c2) (local.get $v0)))))
          (local.set $s1 (select (local.get $z1) (f64.const 1) (local.get $persp)))
          (local.set $s2 (select (local.get $z2) (f64.const 1) (local.get $persp)))
          (local.set $dk1 (f64.sub (local.get $z1) (local.get $z0)))
          (local.set $dk2 (f64.sub (local.get $z2) (local.get $z0)))
          (local.set $o (i32.add (local.get $ts) (i32.mul (local.get $t) (i32.const 72))))
          (f64.store (local.get $o) (f64.mul (local.get $a1) (local.get $s1)))
          (f64.store offset=8 (local.get $o) (f64.mul (local.get $c1) (local.get $s1)))
          (f64.store offset=16 (local.get $o) (f64.mul (local.get $d1) (local.get $s1)))
          (f64.store offset=24 (local.get $o) (f64.mul (local.get $a2) (local.get $s2)))
          (f64.store offset=32 (local.get $o) (f64.mul (local.get $c2) (local.get $s2)))
          (f64.store offset=40 (local.get $o) (f64.mul (local.get $d2) (local.get $s2)))
          (f64.store offset=48 (local.get $o) (f64.add (f64.mul (local.get $dk1) (local.get $a1)) (f64.mul (local.get $dk2) (local.get $a2))))
          (f64.store offset=56 (local.get $o) (f64.add (f64.mul (local.get $dk1) (local.get $c1)) (f64.mul (local.get $dk2) (local.get $c2))))
          (f64.store offset=64 (local.get $o) (f64.add
            (f64.add (local.get $z0) (f64.mul (local.get $dk1) (local.get $d1)))
            (f64.mul (local.get $dk2) (local.get $d2))))

          ;; Positive local winding.
          (local.set $area (local.get $sArea))
          (if (f64.lt (local.get $area) (f64.const 0))
            (then
              (local.set $tmp (local.get $x1)) (local.set $x1 (local.get $x2)) (local.set $x2 (local.get $tmp))
              (local.set $tmp (local.get $y1)) (local.set $y1 (local.get $y2)) (local.set $y2 (local.get $tmp))
              (local.set $tmp (local.get $z1)) (local.set $z1 (local.get $z2)) (local.set $z2 (local.get $tmp))
              (local.set $area (f64.neg (local.get $area)))))
          (local.set $px (f64.add (f64.mul (local.get $minX) (f64.const 256)) (f64.const 128)))
          (local.set $py (f64.add (f64.mul (local.get $minY) (f64.const 256)) (f64.const 128)))
          (local.set $e0x (f64.sub (local.get $x2) (local.get $x1)))
          (local.set $e0y (f64.sub (local.get $y2) (local.get $y1)))
          (local.set $e1x (f64.sub (local.get $x0) (local.get $x2)))
          (local.set $e1y (f64.sub (local.get $y0) (local.get $y2)))
          (local.set $e2x (f64.sub (local.get $x1) (local.get $x0)))
          (local.set $e2y (f64.sub (local.get $y1) (local.get $y0)))
          ;; w = ex (py - ay) - ey (px - ax) - (ey < 0 || (ey === 0 && ex > 0) ? 0 : 1)
          (local.set $w0 (f64.sub
            (f64.sub (f64.mul (local.get $e0x) (f64.sub (local.get $py) (local.get $y1)))
                     (f64.mul (local.get $e0y) (f64.sub (local.get $px) (local.get $x1))))
            (select (f64.const 0) (f64.const 1)
              (i32.or (f64.lt (local.get $e0y) (f64.const 0))
                      (i32.and (f64.eq (local.get $e0y) (f64.const 0)) (f64.gt (local.get $e0x) (f64.const 0)))))))
          (local.set $w1 (f64.sub
            (f64.sub (f64.mul (local.get $e1x) (f64.sub (local.get $py) (local.get $y2)))
                     (f64.mul (local.get $e1y) (f64.sub (local.get $px) (local.get $x2))))
            (select (f64.const 0) (f64.const 1)
              (i32.or (f64.lt (local.get $e1y) (f64.const 0))
                      (i32.and (f64.eq (local.get $e1y) (f64.const 0)) (f64.gt (local.get $e1x) (f64.const 0)))))))
          (local.set $w2 (f64.sub
            (f64.sub (f64.mul (local.get $e2x) (f64.sub (local.get $py) (local.get $y0)))
                     (f64.mul (local.get $e2y) (f64.sub (local.get $px) (local.get $x0))))
            (select (f64.const 0) (f64.const 1)
              (i32.or (f64.lt (local.get $e2y) (f64.const 0))
                      (i32.and (f64.eq (local.get $e2y) (f64.const 0)) (f64.gt (local.get $e2x) (f64.const 0)))))))
          (local.set $sx0 (f64.mul (f64.neg (local.get $e0y)) (f64.const 256)))
          (local.set $sx1 (f64.mul (f64.neg (local.get $e1y)) (f64.const 256)))
          (local.set $sx2 (f64.mul (f64.neg (local.get $e2y)) (f64.const 256)))
          (local.set $sy0 (f64.mul (local.get $e0x) (f64.const 256)))
          (local.set $sy1 (f64.mul (local.get $e1x) (f64.const 256)))
          (local.set $sy2 (f64.mul (local.get $e2x) (f64.const 256)))
          (local.set $kArea (f64.div (local.get $kScale) (local.get $area)))
          (local.set $dz1 (f64.mul (f64.sub (local.get $z1) (local.get $z0)) (local.get $kArea)))
          (local.set $dz2 (f64.mul (f64.sub (local.get $z2) (local.get $z0)) (local.get $kArea)))
          (local.set $key (f64.add
            (f64.add (f64.mul (f64.sub (local.get $z0) (local.get $kMin)) (local.get $kScale))
                     (f64.mul (local.get $w1) (local.get $dz1)))
            (f64.mul (local.get $w2) (local.get $dz2))))
          (local.set $kx (f64.add (f64.mul (local.get $sx1) (local.get $dz1)) (f64.mul (local.get $sx2) (local.get $dz2))))
          (local.set $ky (f64.add (f64.mul (local.get $sy1) (local.get $dz1)) (f64.mul (local.get $sy2) (local.get $dz2))))
          (local.set $spanX (f64.sub (local.get $maxX) (local.get $minX)))
          (local.set $spanY (f64.sub (local.get $maxY) (local.get $minY)))
          (local.set $kFar (f64.add
            (f64.add (local.get $key)
              (if (result f64) (f64.gt (local.get $kx) (f64.const 0)) (then (f64.mul (local.get $kx) (local.get $spanX))) (else (f64.const 0))))
            (if (result f64) (f64.gt (local.get $ky) (f64.const 0)) (then (f64.mul (local.get $ky) (local.get $spanY))) (else (f64.const 0)))))
          (local.set $kNear (f64.add
            (f64.add (local.get $key)
              (if (result f64) (f64.lt (local.get $kx) (f64.const 0)) (then (f64.mul (local.get $kx) (local.get $spanX))) (else (f64.const 0))))
            (if (result f64) (f64.lt (local.get $ky) (f64.const 0)) (then (f64.mul (local.get $ky) (local.get $spanY))) (else (f64.const 0)))))
          (if (i32.and
                (i32.and (f64.lt (f64.sub (local.get $maxFx) (local.get $minFx)) (f64.const 16384))
                         (f64.lt (f64.sub (local.get $maxFy) (local.get $minFy)) (f64.const 16384)))
                (i32.and (f64.lt (local.get $kFar) (f64.const 1073741824))
                         (f64.gt (local.get $kNear) (f64.const -1073741824))))
            (then
              (call $drawSmall (local.get $t) (local.get $width)
                (i32.trunc_f64_s (local.get $minX)) (i32.trunc_f64_s (local.get $minY))
                (i32.trunc_f64_s (local.get $spanX)) (i32.trunc_f64_s (local.get $spanY))
                (local.get $w0) (local.get $w1) (local.get $w2)
                (local.get $sx0) (local.get $sx1) (local.get $sx2) (local.get $sy0) (local.get $sy1) (local.get $sy2)
                (local.get $key) (local.get $kx) (local.get $ky) (local.get $ids) (local.get $zq)))
            (else
              (call $drawLarge (local.get $t) (local.get $width)
                (i32.trunc_f64_s (local.get $minX)) (i32.trunc_f64_s (local.get $minY))
                (i32.trunc_f64_s (local.get $spanX)) (i32.trunc_f64_s (local.get $spanY))
                (local.get $w0) (local.get $w1) (local.get $w2)
                (local.get $sx0) (local.get $sx1) (local.get $sx2) (local.get $sy0) (local.get $sy1) (local.get $sy2)
                (local.get $key) (local.get $kx) (local.get $ky) (local.get $ids) (local.get $zq)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br_if $tri (i32.lt_s (local.get $t) (local.get $nt))))))

  ;; Depth and barycentrics of every pixel from the winning triangle's planes; empty pixels get Infinity and 0.
  (func (export "resolve")
    (param $ids i32) (param $ts i32) (param $depth i32) (param $bary i32) (param $width i32) (param $height i32)
    (param $persp i32)
    (local $x i32) (local $y i32) (local $p i32) (local $t i32) (local $k i32) (local $o i32)
    (local $cx f64) (local $cy f64) (local $q1 f64) (local $q2 f64) (local $invQ f64) (local $b1 f64) (local $b2 f64)
    (local $z f64)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $y) (local.get $height)))
        (local.set $cy (f64.add (f64.convert_i32_s (local.get $y)) (f64.const 0.5)))
        (local.set $x (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $x) (local.get $width)))
            (local.set $t (i32.load (i32.add (local.get $ids) (i32.shl (local.get $p) (i32.const 2)))))
            (local.set $o (i32.add (local.get $bary) (i32.mul (local.get $p) (i32.const 12))))
            (if (i32.lt_s (local.get $t) (i32.const 0))
              (then
                (f32.store (i32.add (local.get $depth) (i32.shl (local.get $p) (i32.const 2))) (f32.const inf))
                (f32.store (local.get $o) (f32.const 0))
                (i64.store offset=4 align=4 (local.get $o) (i64.const 0)))
              (else
                (local.set $cx (f64.add (f64.convert_i32_s (local.get $x)) (f64.const 0.5)))
                (local.set $k (i32.add (local.get $ts) (i32.mul (local.get $t) (i32.const 72))))
                (local.set $q1 (f64.add (f64.add
                  (f64.mul (f64.load (local.get $k)) (local.get $cx))
                  (f64.mul (f64.load offset=8 (local.get $k)) (local.get $cy)))
                  (f64.load offset=16 (local.get $k))))
                (local.set $q2 (f64.add (f64.add
                  (f64.mul (f64.load offset=24 (local.get $k)) (local.get $cx))
                  (f64.mul (f64.load offset=32 (local.get $k)) (local.get $cy)))
                  (f64.load offset=40 (local.get $k))))
                (local.set $z (f64.add (f64.add
                  (f64.mul (f64.load offset=48 (local.get $k)) (local.get $cx))
                  (f64.mul (f64.load offset=56 (local.get $k)) (local.get $cy)))
                  (f64.load offset=64 (local.get $k))))
                (if (local.get $persp)
                  (then
                    (local.set $invQ (f64.div (f64.const 1) (local.get $z)))
                    (local.set $b1 (f64.mul (local.get $q1) (local.get $invQ)))
                    (local.set $b2 (f64.mul (local.get $q2) (local.get $invQ)))
                    (local.set $z (f64.neg (local.get $invQ))))
                  (else
                    (local.set $b1 (local.get $q1))
                    (local.set $b2 (local.get $q2))))
                (f32.store (i32.add (local.get $depth) (i32.shl (local.get $p) (i32.const 2))) (f32.demote_f64 (local.get $z)))
                (f32.store (local.get $o) (f32.demote_f64 (f64.sub (f64.sub (f64.const 1) (local.get $b1)) (local.get $b2))))
                (f32.store offset=4 (local.get $o) (f32.demote_f64 (local.get $b1)))
                (f32.store offset=8 (local.get $o) (f32.demote_f64 (local.get $b2)))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))
)
