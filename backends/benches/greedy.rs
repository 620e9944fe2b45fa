//! The greedy pick of one decode step (crate::greedy): a vocabulary-sized row of logits per
//! sequence, against the one-element-at-a-time scan it replaced.
//!
//!   cargo bench -p evalrun-backends --features llamacpp --bench greedy
//!
//! In the portable build's configuration (baseline x86-64, whose widest vectors are SSE2's),
//! `first_argmax` against `first_argmax_as_built` shows what choosing the CPU's vectors at run
//! time is worth:
//!
//!   RUSTFLAGS="-C target-cpu=x86-64" cargo bench --target-dir target/dynamic \
//!     -p evalrun-backends --features llamacpp-dynamic --bench greedy

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use evalrun_backends::greedy::{
    first_argmax, first_argmax_all, first_argmax_as_built, scalar_first_argmax as scalar,
};
use std::hint::black_box;

/// Qwen2.5's vocabulary.
const VOCAB: usize = 151_936;

fn rows(n: usize) -> Vec<Vec<f32>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            (0..VOCAB)
                .map(|_| {
                    state =
                        state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 40) as f32) / 1e5 - 80.0
                })
                .collect()
        })
        .collect()
}

fn greedy(c: &mut Criterion) {
    let one = rows(1).remove(0);
    let mut group = c.benchmark_group("one sequence");
    group.throughput(Throughput::Elements(VOCAB as u64));
    group.bench_function("scalar scan (before)", |b| b.iter(|| scalar(black_box(&one))));
    group.bench_function("first_argmax_as_built", |b| b.iter(|| first_argmax_as_built(black_box(&one))));
    group.bench_function("first_argmax", |b| b.iter(|| first_argmax(black_box(&one))));
    group.finish();

    let many = rows(64);
    let refs: Vec<&[f32]> = many.iter().map(Vec::as_slice).collect();
    let mut group = c.benchmark_group("a step of 64 sequences");
    group.sample_size(30);
    group.bench_function(BenchmarkId::new("scalar scan (before)", 64), |b| {
        b.iter(|| refs.iter().map(|r| scalar(black_box(r))).collect::<Vec<_>>())
    });
    group.bench_function(BenchmarkId::new("first_argmax_all, one thread", 64), |b| {
        b.iter(|| first_argmax_all(black_box(&refs), false))
    });
    group.bench_function(BenchmarkId::new("first_argmax_all, rayon", 64), |b| {
        b.iter(|| first_argmax_all(black_box(&refs), true))
    });
    group.finish();
}

criterion_group!(benches, greedy);
criterion_main!(benches);
