//! Greedy decoding's pick: the token of the first largest logit, as llama.cpp's greedy sampler
//! picks it. It runs once per sequence per decode step over the whole vocabulary (151,936 logits
//! for Qwen2.5): on a GPU, where a step of 64 sequences takes a few milliseconds, a scalar scan of
//! every sequence's logits on one core took longer than the step itself (docs/PERFORMANCE.md,
//! "GPU"). So the scan vectorizes, and a step's sequences are scanned in parallel where it pays.

use rayon::prelude::*;

/// Lanes of the running maxima: one AVX-512 register of f32, two AVX2 ones.
const LANES: usize = 16;

/// Below this many sequences in a step, scanning them one after the other costs less than
/// handing them to threads.
pub const PARALLEL_FROM: usize = 8;

/// Index of the first largest value (0 for an empty slice or one of NaN and -inf alone; NaN
/// values are never picked).
pub fn first_argmax(logits: &[f32]) -> usize {
    // The portable build (scripts/package-dynamic.sh) is compiled for baseline x86-64, whose
    // widest vectors are SSE2's: the widest this CPU has are picked when it runs, as ggml picks
    // its kernels.
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return unsafe { first_argmax_avx512(logits) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { first_argmax_avx2(logits) };
        }
    }
    first_argmax_as_built(logits)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn first_argmax_avx512(logits: &[f32]) -> usize {
    first_argmax_as_built(logits)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn first_argmax_avx2(logits: &[f32]) -> usize {
    first_argmax_as_built(logits)
}

/// [`first_argmax`] in the vectors the build targets, with no choice made at run time (what the
/// portable build ran before; benches/greedy.rs compares). Inlined into each variant above, where
/// it takes that variant's vectors.
#[inline(always)]
pub fn first_argmax_as_built(logits: &[f32]) -> usize {
    // One pass over memory (a step's rows do not fit in cache): lane-wise maxima and where each
    // was first seen, compare-and-selects with `>` that the compiler turns into vector code.
    let mut values = [f32::NEG_INFINITY; LANES];
    let mut at = [u32::MAX; LANES];
    let chunks = logits.chunks_exact(LANES);
    let rest = chunks.remainder();
    for (c, chunk) in chunks.enumerate() {
        let base = (c * LANES) as u32;
        for lane in 0..LANES {
            let x = chunk[lane];
            let greater = x > values[lane];
            values[lane] = if greater { x } else { values[lane] };
            at[lane] = if greater { base + lane as u32 } else { at[lane] };
        }
    }
    // The lanes' winners and the remainder: the largest value, and of equals the lowest index
    // (a tie goes to the lowest token id, as llama.cpp's greedy sampler's does).
    let tail = logits.len() - rest.len();
    let best = values
        .iter()
        .zip(at)
        .map(|(&v, i)| (v, i as usize))
        .chain(rest.iter().enumerate().map(|(k, &v)| (v, tail + k)))
        .filter(|(v, _)| !v.is_nan())
        .reduce(|best, (v, i)| if v > best.0 || (v == best.0 && i < best.1) { (v, i) } else { best });
    match best {
        Some((v, i)) if v > f32::NEG_INFINITY => i,
        // Nothing above -inf (the lanes never moved): the first -inf, as a scalar scan finds it.
        _ => logits.iter().position(|&x| x == f32::NEG_INFINITY).unwrap_or(0),
    }
}

/// The one-element-at-a-time scan [`first_argmax`] replaced: the reference its tests and its
/// benchmark (benches/greedy.rs) compare with.
pub fn scalar_first_argmax(logits: &[f32]) -> usize {
    let mut best = 0;
    for (i, &logit) in logits.iter().enumerate().skip(1) {
        if logit > logits[best] {
            best = i;
        }
    }
    best
}

/// [`first_argmax`] of each slice, in parallel (rayon's pool) when there are
/// [`PARALLEL_FROM`] or more and `parallel` allows it.
pub fn first_argmax_all(rows: &[&[f32]], parallel: bool) -> Vec<usize> {
    if parallel && rows.len() >= PARALLEL_FROM {
        rows.par_iter().map(|row| first_argmax(row)).collect()
    } else {
        rows.iter().map(|row| first_argmax(row)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(logits: &[f32]) -> usize {
        scalar_first_argmax(logits)
    }

    #[test]
    fn the_first_largest_logit_wins() {
        assert_eq!(first_argmax(&[0.5, 2.0, -1.0, 2.0]), 1);
        assert_eq!(first_argmax(&[3.0]), 0);
        assert_eq!(first_argmax(&[]), 0);
        assert_eq!(first_argmax(&[f32::NEG_INFINITY, -1e30, -1e30]), 1);
        assert_eq!(first_argmax(&[f32::NEG_INFINITY; 40]), 0);
        assert_eq!(first_argmax(&[1.0, f32::NAN, 3.0, f32::NAN]), 2);
    }

    #[test]
    fn agrees_with_the_scalar_scan_on_vocabulary_sized_rows() {
        // A linear congruential generator: reproducible rows with many ties (values are drawn
        // from 512 levels), the largest value anywhere, lengths that leave every remainder.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for len in (1..40).chain([151_936, 151_937, 32_000]) {
            for _ in 0..8 {
                let row: Vec<f32> = (0..len).map(|_| (next() % 512) as f32 / 16.0 - 16.0).collect();
                assert_eq!(first_argmax(&row), scalar(&row), "length {len}");
                assert_eq!(first_argmax_as_built(&row), scalar(&row), "length {len}, the build's vectors");
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2.
                    assert_eq!(unsafe { first_argmax_avx2(&row) }, scalar(&row), "length {len}, AVX2");
                }
            }
        }
        let rows: Vec<Vec<f32>> =
            (0..20).map(|_| (0..1_000).map(|_| (next() % 97) as f32).collect()).collect();
        let refs: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
        let expected: Vec<usize> = refs.iter().map(|r| scalar(r)).collect();
        assert_eq!(first_argmax_all(&refs, true), expected);
        assert_eq!(first_argmax_all(&refs, false), expected);
    }
}
