;; WebAssembly SIMD (f64x2) kernel for dense matrix products in double precision (see dense-kernels.ts).
;; All pointers and leading dimensions are byte offsets into the module's own memory.
(module
  (memory (export "memory") 1)

  ;; C[i][j] += sum_p A[p][i] * B[p][j] for i < m, j < n, p < k (C m x n, A k x m, B k x n; row-major with
  ;; leading dimensions ldc, lda, ldb in bytes). m and n are multiples of 4: the caller pads rows and columns.
  ;; With upper != 0 only 4 x 4 tiles with j0 >= i0 are computed (the upper triangle of a symmetric C, plus the
  ;; lower halves of the diagonal tiles). Each tile's 16 sums stay in eight f64x2 registers for the whole
  ;; p loop, so every loaded value feeds four multiply-adds.
  (func (export "gemm_tn")
    (param $c i32) (param $ldc i32) (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
    (param $m i32) (param $n i32) (param $k i32) (param $upper i32)
    (local $i i32) (local $j i32) (local $pa i32) (local $pb i32) (local $end i32) (local $pc i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (block $rows_done
      (br_if $rows_done (i32.or (i32.eqz (local.get $k)) (i32.eqz (local.get $m))))
      (loop $rows
        (local.set $j (select (local.get $i) (i32.const 0) (local.get $upper)))
        (block $cols_done
          (br_if $cols_done (i32.ge_u (local.get $j) (local.get $n)))
          (loop $cols
            (local.set $c00 (v128.const i64x2 0 0))
            (local.set $c01 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0))
            (local.set $c11 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0))
            (local.set $c21 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0))
            (local.set $c31 (v128.const i64x2 0 0))
            (local.set $pa (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $k) (local.get $lda))))
            (loop $inner
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $x0 (v128.load64_splat (local.get $pa)))
              (local.set $x1 (v128.load64_splat offset=8 (local.get $pa)))
              (local.set $x2 (v128.load64_splat offset=16 (local.get $pa)))
              (local.set $x3 (v128.load64_splat offset=24 (local.get $pa)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x0) (local.get $b0))))
              (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x0) (local.get $b1))))
              (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x1) (local.get $b0))))
              (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x1) (local.get $b1))))
              (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x2) (local.get $b0))))
              (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x2) (local.get $b1))))
              (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x3) (local.get $b0))))
              (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x3) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $lda)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
              (br_if $inner (i32.lt_u (local.get $pa) (local.get $end))))
            (local.set $pc (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 3))))
            (v128.store (local.get $pc) (f64x2.add (v128.load (local.get $pc)) (local.get $c00)))
            (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (f64x2.add (v128.load (local.get $pc)) (local.get $c10)))
            (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (f64x2.add (v128.load (local.get $pc)) (local.get $c20)))
            (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (f64x2.add (v128.load (local.get $pc)) (local.get $c30)))
            (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br_if $cols (i32.lt_u (local.get $j) (local.get $n)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $rows (i32.lt_u (local.get $i) (local.get $m)))))))
