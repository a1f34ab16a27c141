;; WebAssembly SIMD (f32x4) kernel for sums of cross products of per-vertex basis columns (see ring-cross.ts).
;; All pointers are byte offsets into the module's own memory.
(module
  (memory (export "memory") 1)

  ;; For a vertex's one-ring: out[c][k] = sum_r (b_r[k] x e_r)[c] for k < K, where b_r[k] is the basis column
  ;; k of ring vertex r (planar per vertex: x plane, y plane, z plane of `plane` bytes each, at byte offset
  ;; `vo_r` from `basis`) and e_r a 3-vector. The ring is `nr` records of 16 bytes at `ring`: i32 vo_r, then
  ;; f32 ex, ey, ez. `out` receives the three planes (`plane` bytes each). `plane` is a multiple of 16 (K padded
  ;; to whole f32x4 lanes). Each block of four columns keeps its three sums in registers over the whole ring.
  (func (export "ring_cross")
    (param $basis i32) (param $ring i32) (param $nr i32) (param $plane i32) (param $out i32)
    (local $kb i32) (local $r i32) (local $rec i32) (local $b i32)
    (local $dx v128) (local $dy v128) (local $dz v128)
    (local $ex v128) (local $ey v128) (local $ez v128)
    (local $bx v128) (local $by v128) (local $bz v128)
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $plane)) (i32.eqz (local.get $nr))))
      (loop $cols
        (local.set $dx (v128.const i32x4 0 0 0 0))
        (local.set $dy (v128.const i32x4 0 0 0 0))
        (local.set $dz (v128.const i32x4 0 0 0 0))
        (local.set $r (i32.const 0))
        (local.set $rec (local.get $ring))
        (loop $ring_loop
          (local.set $b (i32.add (i32.add (local.get $basis) (i32.load (local.get $rec))) (local.get $kb)))
          (local.set $ex (v128.load32_splat offset=4 (local.get $rec)))
          (local.set $ey (v128.load32_splat offset=8 (local.get $rec)))
          (local.set $ez (v128.load32_splat offset=12 (local.get $rec)))
          (local.set $bx (v128.load (local.get $b)))
          (local.set $by (v128.load (i32.add (local.get $b) (local.get $plane))))
          (local.set $bz (v128.load (i32.add (local.get $b) (i32.shl (local.get $plane) (i32.const 1)))))
          (local.set $dx (f32x4.add (local.get $dx)
            (f32x4.sub (f32x4.mul (local.get $by) (local.get $ez)) (f32x4.mul (local.get $bz) (local.get $ey)))))
          (local.set $dy (f32x4.add (local.get $dy)
            (f32x4.sub (f32x4.mul (local.get $bz) (local.get $ex)) (f32x4.mul (local.get $bx) (local.get $ez)))))
          (local.set $dz (f32x4.add (local.get $dz)
            (f32x4.sub (f32x4.mul (local.get $bx) (local.get $ey)) (f32x4.mul (local.get $by) (local.get $ex)))))
          (local.set $rec (i32.add (local.get $rec) (i32.const 16)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $ring_loop (i32.lt_u (local.get $r) (local.get $nr))))
        (v128.store (i32.add (local.get $out) (local.get $kb)) (local.get $dx))
        (v128.store (i32.add (i32.add (local.get $out) (local.get $plane)) (local.get $kb)) (local.get $dy))
        (v128.store (i32.add (i32.add (local.get $out) (i32.shl (local.get $plane) (i32.const 1))) (local.get $kb)) (local.get $dz))
        (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $kb) (local.get $plane)))))))
