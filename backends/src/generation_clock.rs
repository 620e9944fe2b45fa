//! The timings and memory every local backend reports for one generation, measured the same way
//! so that backends compare: from the request to the first sampled token (prompt processing
//! included), then per generated token, plus the process's peak resident memory.

use crate::memory;
use evalrun_core::GenerationStats;
use std::time::Instant;

pub struct GenerationClock {
    start: Instant,
    first_token: Option<Instant>,
}

impl GenerationClock {
    /// Start timing a request (and restart the peak-memory high-water mark).
    pub fn start() -> Self {
        memory::reset_peak_rss();
        GenerationClock { start: Instant::now(), first_token: None }
    }

    /// Start timing one of several requests served together: the peak-memory mark is the
    /// process's, reset by whoever started the batch, not by each request.
    pub fn start_in_batch() -> Self {
        GenerationClock { start: Instant::now(), first_token: None }
    }

    /// A token was sampled.
    pub fn token(&mut self) {
        self.first_token.get_or_insert_with(Instant::now);
    }

    /// The statistics of a generation that read `prompt_tokens` and sampled `generated` tokens.
    pub fn stats(&self, prompt_tokens: usize, generated: u32) -> GenerationStats {
        let end = Instant::now();
        let first = self.first_token.unwrap_or(end);
        let ttft_s = (first - self.start).as_secs_f64();
        let decode_s = (end - first).as_secs_f64();
        GenerationStats {
            prompt_tokens: prompt_tokens as u32,
            generated_tokens: generated,
            ttft_s,
            prompt_tokens_per_s: if ttft_s > 0.0 { prompt_tokens as f64 / ttft_s } else { 0.0 },
            // The first token comes with the prompt; the rate counts the ones after it.
            gen_tokens_per_s: if decode_s > 0.0 && generated > 1 {
                f64::from(generated - 1) / decode_s
            } else {
                0.0
            },
            total_s: (end - self.start).as_secs_f64(),
            peak_rss_bytes: memory::peak_rss_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rates_count_prompt_until_the_first_token_and_tokens_after_it() {
        let mut clock = GenerationClock::start();
        std::thread::sleep(Duration::from_millis(40));
        clock.token();
        std::thread::sleep(Duration::from_millis(40));
        clock.token(); // later tokens do not move the first-token time
        let stats = clock.stats(20, 5);
        assert!(stats.ttft_s >= 0.04 && stats.ttft_s < stats.total_s);
        assert!((stats.prompt_tokens_per_s - 20.0 / stats.ttft_s).abs() < 1e-9);
        assert!((stats.gen_tokens_per_s - 4.0 / (stats.total_s - stats.ttft_s)).abs() < 1.0);
        assert!(stats.peak_rss_bytes > 0);
        assert_eq!((stats.prompt_tokens, stats.generated_tokens), (20, 5));
    }

    #[test]
    fn a_single_token_has_no_generation_rate() {
        let mut clock = GenerationClock::start();
        clock.token();
        assert_eq!(clock.stats(3, 1).gen_tokens_per_s, 0.0);
    }
}
