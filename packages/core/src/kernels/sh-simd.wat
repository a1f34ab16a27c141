;; WebAssembly SIMD kernel of SH (bands 0..2) Lambertian shading, driven by shading/sh-shader.ts.
;;
;; Works directly on the interleaved RGB / XYZ layout: a group of 4 pixels is 12 floats = 3 f32x4 vectors,
;; both for the normals and for the colours. Output vector j holds floats 4j..4j+3 of the group, so lane l of
;; it is channel (4j+l) mod 3 of pixel (4j+l) div 3; the kernel shuffles each lane's own x, y, z into place
;; (3 shuffles per vector) and evaluates
;;   C0 + x (C1 + C4 y + C5 z + C7 x) + y (C2 + C6 z - C7 y) + z (C3 + C8 z)
;; (= C0 + C1 x + C2 y + C3 z + C4 xy + C5 xz + C6 yz + C7 (x^2 - y^2) + C8 z^2) with per-lane coefficients.
;;
;; Memory layout (byte offsets): [0, 432) the 27 coefficient vectors, vector j*9+k (k = 0..8) holding
;; C_k for the channel pattern of output vector j: (r g b r), (g b r g), (b r g b). The JS side writes them
;; with the convention's factors folded in (C0 = L0 f0 - L8 f8, C8 = 3 L8 f8). Data buffers lie above.
;;
;; Regenerate sh-simd-bytes.ts after editing: node packages/core/scripts/gen-wasm.mjs sh
(module
  (memory (export "memory") 1)

  ;; Shades `groups` groups of 4 pixels. `n`, `out`: byte offsets of 12*4*groups-byte XYZ / RGB buffers;
  ;; `a`: albedo RGB buffer, or 0 for none (albedo 1); `m`: Uint8 mask (1 byte per pixel), or 0 for none
  ;; (masked-out pixels, mask byte 0, get `bg` in all three channels).
  (func (export "shade")
    (param $n i32) (param $a i32) (param $m i32) (param $out i32) (param $groups i32) (param $bg f32)
    (local $end i32) (local $mv i32) (local $bgv v128) (local $mvec v128)
    (local $n0 v128) (local $n1 v128) (local $n2 v128)
    (local $x v128) (local $y v128) (local $z v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128)
    ;; Coefficient vector j*9+k in $c(j*9+k), loaded once per call (locals beat in-loop loads by ~25%).
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128) (local $c8 v128)
    (local $c9 v128) (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128) (local $c14 v128) (local $c15 v128) (local $c16 v128) (local $c17 v128)
    (local $c18 v128) (local $c19 v128) (local $c20 v128) (local $c21 v128) (local $c22 v128) (local $c23 v128) (local $c24 v128) (local $c25 v128) (local $c26 v128)
    (local.set $c0 (v128.load offset=0 (i32.const 0)))
    (local.set $c1 (v128.load offset=16 (i32.const 0)))
    (local.set $c2 (v128.load offset=32 (i32.const 0)))
    (local.set $c3 (v128.load offset=48 (i32.const 0)))
    (local.set $c4 (v128.load offset=64 (i32.const 0)))
    (local.set $c5 (v128.load offset=80 (i32.const 0)))
    (local.set $c6 (v128.load offset=96 (i32.const 0)))
    (local.set $c7 (v128.load offset=112 (i32.const 0)))
    (local.set $c8 (v128.load offset=128 (i32.const 0)))
    (local.set $c9 (v128.load offset=144 (i32.const 0)))
    (local.set $c10 (v128.load offset=160 (i32.const 0)))
    (local.set $c11 (v128.load offset=176 (i32.const 0)))
    (local.set $c12 (v128.load offset=192 (i32.const 0)))
    (local.set $c13 (v128.load offset=208 (i32.const 0)))
    (local.set $c14 (v128.load offset=224 (i32.const 0)))
    (local.set $c15 (v128.load offset=240 (i32.const 0)))
    (local.set $c16 (v128.load offset=256 (i32.const 0)))
    (local.set $c17 (v128.load offset=272 (i32.const 0)))
    (local.set $c18 (v128.load offset=288 (i32.const 0)))
    (local.set $c19 (v128.load offset=304 (i32.const 0)))
    (local.set $c20 (v128.load offset=320 (i32.const 0)))
    (local.set $c21 (v128.load offset=336 (i32.const 0)))
    (local.set $c22 (v128.load offset=352 (i32.const 0)))
    (local.set $c23 (v128.load offset=368 (i32.const 0)))
    (local.set $c24 (v128.load offset=384 (i32.const 0)))
    (local.set $c25 (v128.load offset=400 (i32.const 0)))
    (local.set $c26 (v128.load offset=416 (i32.const 0)))
    (local.set $bgv (f32x4.splat (local.get $bg)))
    (local.set $end (i32.add (local.get $out) (i32.mul (local.get $groups) (i32.const 48))))
    (block $done
      (br_if $done (i32.eqz (local.get $groups)))
      (loop $loop
        (block $shaded
          (if (local.get $m)
            (then
              (local.set $mv (i32.load (local.get $m)))
              (if (i32.eqz (local.get $mv))
                (then
                  ;; All 4 pixels masked out.
                  (v128.store (local.get $out) (local.get $bgv))
                  (v128.store offset=16 (local.get $out) (local.get $bgv))
                  (v128.store offset=32 (local.get $out) (local.get $bgv))
                  (br $shaded)))))
        (local.set $n0 (v128.load (local.get $n)))
        (local.set $n1 (v128.load offset=16 (local.get $n)))
        (local.set $n2 (v128.load offset=32 (local.get $n)))

        ;; output vector 0: floats 0..3 of the group (pixels 0, 1)
        (local.set $x (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 12 13 14 15 (local.get $n0) (local.get $n1)))
        (local.set $y (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 16 17 18 19 (local.get $n0) (local.get $n1)))
        (local.set $z (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 20 21 22 23 (local.get $n0) (local.get $n1)))
        (local.set $v0
          (f32x4.add
            (f32x4.add (local.get $c0)
              (f32x4.mul (local.get $x)
                (f32x4.add (f32x4.add (local.get $c1) (f32x4.mul (local.get $c4) (local.get $y)))
                  (f32x4.add (f32x4.mul (local.get $c5) (local.get $z)) (f32x4.mul (local.get $c7) (local.get $x))))))
            (f32x4.add
              (f32x4.mul (local.get $y)
                (f32x4.sub (f32x4.add (local.get $c2) (f32x4.mul (local.get $c6) (local.get $z))) (f32x4.mul (local.get $c7) (local.get $y))))
              (f32x4.mul (local.get $z) (f32x4.add (local.get $c3) (f32x4.mul (local.get $c8) (local.get $z)))))))

        ;; output vector 1: floats 4..7 of the group (pixels 1, 2)
        (local.set $x (i8x16.shuffle 12 13 14 15 12 13 14 15 24 25 26 27 24 25 26 27 (local.get $n0) (local.get $n1)))
        (local.set $y (i8x16.shuffle 16 17 18 19 16 17 18 19 28 29 30 31 28 29 30 31 (local.get $n0) (local.get $n1)))
        (local.set $z (i8x16.shuffle 4 5 6 7 4 5 6 7 16 17 18 19 16 17 18 19 (local.get $n1) (local.get $n2)))
        (local.set $v1
          (f32x4.add
            (f32x4.add (local.get $c9)
              (f32x4.mul (local.get $x)
                (f32x4.add (f32x4.add (local.get $c10) (f32x4.mul (local.get $c13) (local.get $y)))
                  (f32x4.add (f32x4.mul (local.get $c14) (local.get $z)) (f32x4.mul (local.get $c16) (local.get $x))))))
            (f32x4.add
              (f32x4.mul (local.get $y)
                (f32x4.sub (f32x4.add (local.get $c11) (f32x4.mul (local.get $c15) (local.get $z))) (f32x4.mul (local.get $c16) (local.get $y))))
              (f32x4.mul (local.get $z) (f32x4.add (local.get $c12) (f32x4.mul (local.get $c17) (local.get $z)))))))

        ;; output vector 2: floats 8..11 of the group (pixels 2, 3)
        (local.set $x (i8x16.shuffle 8 9 10 11 20 21 22 23 20 21 22 23 20 21 22 23 (local.get $n1) (local.get $n2)))
        (local.set $y (i8x16.shuffle 12 13 14 15 24 25 26 27 24 25 26 27 24 25 26 27 (local.get $n1) (local.get $n2)))
        (local.set $z (i8x16.shuffle 16 17 18 19 28 29 30 31 28 29 30 31 28 29 30 31 (local.get $n1) (local.get $n2)))
        (local.set $v2
          (f32x4.add
            (f32x4.add (local.get $c18)
              (f32x4.mul (local.get $x)
                (f32x4.add (f32x4.add (local.get $c19) (f32x4.mul (local.get $c22) (local.get $y)))
                  (f32x4.add (f32x4.mul (local.get $c23) (local.get $z)) (f32x4.mul (local.get $c25) (local.get $x))))))
            (f32x4.add
              (f32x4.mul (local.get $y)
                (f32x4.sub (f32x4.add (local.get $c20) (f32x4.mul (local.get $c24) (local.get $z))) (f32x4.mul (local.get $c25) (local.get $y))))
              (f32x4.mul (local.get $z) (f32x4.add (local.get $c21) (f32x4.mul (local.get $c26) (local.get $z)))))))

        (if (local.get $a)
          (then
            (local.set $v0 (f32x4.mul (local.get $v0) (v128.load (local.get $a))))
            (local.set $v1 (f32x4.mul (local.get $v1) (v128.load offset=16 (local.get $a))))
            (local.set $v2 (f32x4.mul (local.get $v2) (v128.load offset=32 (local.get $a))))))
        (if (local.get $m)
          (then
            ;; Spread mask byte p over the 4 bytes of every lane of pixel p; lanes equal to 0 take bg.
            (local.set $mvec (i32x4.splat (local.get $mv)))
            (local.set $v0 (v128.bitselect (local.get $bgv) (local.get $v0)
              (i32x4.eq (i8x16.shuffle 0 0 0 0 0 0 0 0 0 0 0 0 1 1 1 1 (local.get $mvec) (local.get $mvec)) (v128.const i32x4 0 0 0 0))))
            (local.set $v1 (v128.bitselect (local.get $bgv) (local.get $v1)
              (i32x4.eq (i8x16.shuffle 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 (local.get $mvec) (local.get $mvec)) (v128.const i32x4 0 0 0 0))))
            (local.set $v2 (v128.bitselect (local.get $bgv) (local.get $v2)
              (i32x4.eq (i8x16.shuffle 2 2 2 2 3 3 3 3 3 3 3 3 3 3 3 3 (local.get $mvec) (local.get $mvec)) (v128.const i32x4 0 0 0 0))))))
        (v128.store (local.get $out) (local.get $v0))
        (v128.store offset=16 (local.get $out) (local.get $v1))
        (v128.store offset=32 (local.get $out) (local.get $v2)))
        (local.set $n (i32.add (local.get $n) (i32.const 48)))
        (if (local.get $a) (then (local.set $a (i32.add (local.get $a) (i32.const 48)))))
        (if (local.get $m) (then (local.set $m (i32.add (local.get $m) (i32.const 4)))))
        (local.set $out (i32.add (local.get $out) (i32.const 48)))
        (br_if $loop (i32.lt_u (local.get $out) (local.get $end)))))))
