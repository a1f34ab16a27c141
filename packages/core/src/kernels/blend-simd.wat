;; WebAssembly SIMD kernels for mode-major blend shapes (see blend-shapes.ts and blend-basis.ts).
;; All pointers and lengths are byte offsets into the module's own memory; `bytes` is a multiple of 16
;; (each mode block is padded to whole f32x4 lanes), so there is no scalar tail.
(module
  (memory (export "memory") 1)

  ;; out[i] += w0*b0[i] + w1*b1[i] + w2*b2[i] + w3*b3[i]
  (func (export "add4")
    (param $out i32) (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32)
    (param $w0 f32) (param $w1 f32) (param $w2 f32) (param $w3 f32) (param $bytes i32)
    (local $i i32) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local.set $v0 (f32x4.splat (local.get $w0)))
    (local.set $v1 (f32x4.splat (local.get $w1)))
    (local.set $v2 (f32x4.splat (local.get $w2)))
    (local.set $v3 (f32x4.splat (local.get $w3)))
    (block $done
      (br_if $done (i32.eqz (local.get $bytes)))
      (loop $loop
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add
            (v128.load (i32.add (local.get $out) (local.get $i)))
            (f32x4.add
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $b0) (local.get $i))) (local.get $v0))
                (f32x4.mul (v128.load (i32.add (local.get $b1) (local.get $i))) (local.get $v1)))
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $b2) (local.get $i))) (local.get $v2))
                (f32x4.mul (v128.load (i32.add (local.get $b3) (local.get $i))) (local.get $v3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $loop (i32.lt_u (local.get $i) (local.get $bytes))))))

  ;; out[i] += w0*b0[i]
  (func (export "add1")
    (param $out i32) (param $b0 i32) (param $w0 f32) (param $bytes i32)
    (local $i i32) (local $v0 v128)
    (local.set $v0 (f32x4.splat (local.get $w0)))
    (block $done
      (br_if $done (i32.eqz (local.get $bytes)))
      (loop $loop
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add
            (v128.load (i32.add (local.get $out) (local.get $i)))
            (f32x4.mul (v128.load (i32.add (local.get $b0) (local.get $i))) (local.get $v0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $loop (i32.lt_u (local.get $i) (local.get $bytes)))))))
