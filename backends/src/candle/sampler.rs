//! Choosing the next token from logits, as the llama.cpp backend's sampler chain does: greedy, or
//! nucleus (top-p over the untempered distribution) then temperature then a seeded draw.

use evalrun_core::SamplingParams;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub enum Sampler {
    /// The most likely token; the lowest id among equals (llama.cpp's greedy sampler).
    Greedy,
    Nucleus {
        top_p: f32,
        temperature: f32,
        rng: StdRng,
    },
}

impl Sampler {
    pub fn new(params: &SamplingParams) -> Self {
        if params.is_greedy() {
            Sampler::Greedy
        } else {
            Sampler::Nucleus {
                top_p: params.top_p,
                temperature: params.temperature,
                rng: StdRng::seed_from_u64(params.seed),
            }
        }
    }

    /// The next token id. `logits` must not be empty.
    pub fn sample(&mut self, logits: &[f32]) -> u32 {
        match self {
            Sampler::Greedy => argmax(logits),
            Sampler::Nucleus { top_p, temperature, rng } => {
                let kept = nucleus(logits, *top_p);
                // Temperature applies to the kept tokens only, after the cut (llama.cpp's order).
                let max = kept.iter().map(|&(_, l)| l).fold(f32::NEG_INFINITY, f32::max);
                let weights: Vec<f64> =
                    kept.iter().map(|&(_, l)| f64::from((l - max) / *temperature).exp()).collect();
                let total: f64 = weights.iter().sum();
                let mut draw = rng.random::<f64>() * total;
                for (&(id, _), w) in kept.iter().zip(&weights) {
                    draw -= w;
                    if draw <= 0.0 {
                        return id;
                    }
                }
                kept.last().map_or(0, |&(id, _)| id)
            }
        }
    }
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

/// The most likely tokens whose probabilities (at temperature 1) first reach `top_p`, most likely
/// first, with their logits; at least one.
fn nucleus(logits: &[f32], top_p: f32) -> Vec<(u32, f32)> {
    let mut order: Vec<(u32, f32)> = logits.iter().enumerate().map(|(i, &l)| (i as u32, l)).collect();
    let by_logit_desc = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if top_p >= 1.0 {
        order.sort_unstable_by(by_logit_desc);
        return order;
    }
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let total: f64 = logits.iter().map(|&l| f64::from(l - max).exp()).sum();
    // Sorting a 150k vocabulary for every token is slow; the nucleus is usually a handful of
    // tokens, so sort a growing head until it holds enough probability.
    let mut head = 64.min(order.len());
    loop {
        if head < order.len() {
            order.select_nth_unstable_by(head - 1, by_logit_desc);
        }
        order[..head].sort_unstable_by(by_logit_desc);
        let mut cumulative = 0.0f64;
        for i in 0..head {
            cumulative += f64::from(order[i].1 - max).exp() / total;
            if cumulative >= f64::from(top_p) {
                order.truncate(i + 1);
                return order;
            }
        }
        if head == order.len() {
            return order;
        }
        head = (head * 4).min(order.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_the_first_of_equal_maxima() {
        assert_eq!(argmax(&[0.1, 3.0, -1.0, 3.0]), 1);
        let mut s = Sampler::new(&SamplingParams { temperature: 0.0, ..SamplingParams::default() });
        assert_eq!(s.sample(&[0.0, 0.5, 0.2]), 1);
    }

    #[test]
    fn nucleus_keeps_the_smallest_head_reaching_top_p() {
        // Probabilities ~ 0.64, 0.24, 0.09, 0.03.
        let logits = [1.0f32, 3.0, 2.0, 0.0];
        let ids = |v: Vec<(u32, f32)>| v.into_iter().map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(ids(nucleus(&logits, 0.5)), vec![1]);
        assert_eq!(ids(nucleus(&logits, 0.8)), vec![1, 2]);
        assert_eq!(ids(nucleus(&logits, 0.95)), vec![1, 2, 0]);
        assert_eq!(ids(nucleus(&logits, 1.0)), vec![1, 2, 0, 3]);
    }

    #[test]
    fn nucleus_grows_its_head_past_the_first_guess() {
        // 1024 equal logits (each exactly 2^-10): top_p 0.5 needs 512, more than the first head of 64.
        let logits = vec![0.0f32; 1024];
        assert_eq!(nucleus(&logits, 0.5).len(), 512);
    }

    #[test]
    fn seeded_sampling_repeats_and_stays_in_the_nucleus() {
        let params = SamplingParams { temperature: 1.5, top_p: 0.8, seed: 7, ..SamplingParams::default() };
        let logits = [1.0f32, 3.0, 2.0, 0.0];
        let draws = |seed| {
            let mut s = Sampler::new(&SamplingParams { seed, ..params.clone() });
            (0..200).map(|_| s.sample(&logits)).collect::<Vec<_>>()
        };
        let a = draws(7);
        assert_eq!(a, draws(7));
        assert_ne!(a, draws(8));
        assert!(a.iter().all(|&id| id == 1 || id == 2));
        assert!(a.contains(&1) && a.contains(&2));
    }
}
