//! Greedy picks made by llama.cpp inside the decode graph (its backend sampling): a step then
//! hands back one token id per sequence instead of the whole vocabulary's logits (151,936 floats
//! a sequence for Qwen2.5: 78 MB a step at 128 sequences) for the host to copy and scan. On a GPU
//! that copy and scan are most of the host's share of a step (docs/PERFORMANCE.md, "GPU").
//!
//! llama.cpp fixes a context's samplers per sequence id when the context is made, so such a
//! context serves greedy requests alone: a stream is cut into runs of requests alike, each served
//! in a context of its own ([`Runs`]). llama.cpp marks the API experimental, and what it saves
//! is a GPU's to measure, so it is off unless `EVALRUN_DEVICE_GREEDY=1`.

use evalrun_core::{BackendError, Generation, GenerationRequest, GenerationSink};
use llama_cpp_2::sampling::LlamaSampler;
use std::iter::Peekable;
use std::ops::ControlFlow;

/// The environment variable that turns it on.
const ENV: &str = "EVALRUN_DEVICE_GREEDY";

/// Whether `EVALRUN_DEVICE_GREEDY=1`.
pub(super) fn requested() -> bool {
    std::env::var(ENV).is_ok_and(|v| v == "1")
}

/// A greedy sampler for each of `slots` sequence ids (llama.cpp takes chains only).
pub(super) fn samplers(slots: usize) -> impl Iterator<Item = (i32, LlamaSampler)> {
    (0..slots).map(|seq| (seq as i32, LlamaSampler::chain_simple([LlamaSampler::greedy()])))
}

/// A stream of requests cut into runs that agree on whether llama.cpp picks their tokens.
pub(super) struct Runs<'r> {
    requests: Peekable<&'r mut dyn Iterator<Item = GenerationRequest>>,
    /// Whether it picks any (greedy requests then run apart from sampled ones).
    enabled: bool,
    /// Requests taken by the runs before the current one.
    taken: usize,
}

impl<'r> Runs<'r> {
    pub fn new(requests: &'r mut dyn Iterator<Item = GenerationRequest>, enabled: bool) -> Self {
        Runs { requests: requests.peekable(), enabled, taken: 0 }
    }

    /// Whether llama.cpp picks the next run's tokens; `None` when no request is left.
    pub fn next_run(&mut self) -> Option<bool> {
        let enabled = self.enabled;
        self.requests.peek().map(|first| on_device(enabled, first))
    }

    /// Serve the next run with `serve`, which gets the run's requests (indexed from 0) and a
    /// sink that passes results on under their indices in the whole stream.
    pub fn serve_next(
        &mut self,
        sink: &mut dyn GenerationSink,
        serve: impl FnOnce(&mut dyn Iterator<Item = GenerationRequest>, &mut dyn GenerationSink),
    ) {
        let Some(run_on_device) = self.next_run() else { return };
        let (enabled, offset) = (self.enabled, self.taken);
        let mut taken = 0;
        let requests = &mut self.requests;
        let mut run = std::iter::from_fn(|| {
            let request = requests.next_if(|r| on_device(enabled, r) == run_on_device)?;
            taken += 1;
            Some(request)
        });
        // `serve` takes the whole run (an error it reports for every request it takes).
        serve(&mut run, &mut Shifted { sink, offset });
        self.taken += taken;
    }
}

/// Whether llama.cpp picks `request`'s tokens when picking is `enabled`: greedy ones only.
fn on_device(enabled: bool, request: &GenerationRequest) -> bool {
    enabled && request.sampling.is_greedy()
}

/// A sink for one run: indices within the run become indices within the stream.
struct Shifted<'s> {
    sink: &'s mut dyn GenerationSink,
    offset: usize,
}

impl GenerationSink for Shifted<'_> {
    fn text(&mut self, index: usize, piece: &str) -> ControlFlow<()> {
        self.sink.text(self.offset + index, piece)
    }

    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
        self.sink.finished(self.offset + index, result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evalrun_core::{FinishReason, GenerationStats, Prompt, SamplingParams};

    fn request(temperature: f32) -> GenerationRequest {
        GenerationRequest {
            prompt: Prompt::Completion(format!("t={temperature}")),
            stop: vec![],
            sampling: SamplingParams { temperature, ..SamplingParams::default() },
        }
    }

    #[derive(Default)]
    struct Log(Vec<(usize, String)>);

    impl GenerationSink for Log {
        fn text(&mut self, index: usize, piece: &str) -> ControlFlow<()> {
            self.0.push((index, format!("text {piece}")));
            ControlFlow::Continue(())
        }
        fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
            self.0.push((index, result.map_or_else(|e| e.to_string(), |g| g.text)));
        }
    }

    /// Serve every run, answering each request with its prompt; returns each run's mode and size.
    fn serve_all(requests: Vec<GenerationRequest>, enabled: bool) -> (Vec<(bool, usize)>, Log) {
        let mut requests = requests.into_iter();
        let mut runs = Runs::new(&mut requests, enabled);
        let (mut log, mut seen) = (Log::default(), Vec::new());
        while let Some(on_device) = runs.next_run() {
            runs.serve_next(&mut log, |run, sink| {
                let mut n = 0;
                for (index, r) in run.enumerate() {
                    let Prompt::Completion(text) = r.prompt else { unreachable!() };
                    let _ = sink.text(index, "x");
                    let generation =
                        Generation { text, finish: FinishReason::Length, stats: GenerationStats::default() };
                    sink.finished(index, Ok(generation));
                    n += 1;
                }
                seen.push((on_device, n));
            });
        }
        (seen, log)
    }

    #[test]
    fn runs_of_greedy_and_sampled_requests_keep_their_stream_indices() {
        let stream = vec![request(0.0), request(0.0), request(0.8), request(0.0), request(0.7), request(0.6)];
        let (runs, log) = serve_all(stream.clone(), true);
        assert_eq!(runs, vec![(true, 2), (false, 1), (true, 1), (false, 2)]);
        let finished: Vec<(usize, String)> =
            log.0.into_iter().filter(|(_, e)| !e.starts_with("text")).collect();
        let expected: Vec<(usize, String)> =
            stream.iter().enumerate().map(|(i, r)| (i, format!("t={}", r.sampling.temperature))).collect();
        assert_eq!(finished, expected);
        // Off: one run, whatever the requests.
        assert_eq!(serve_all(stream, false).0, vec![(false, 6)]);
        assert_eq!(serve_all(vec![], true).0, vec![]);
    }
}
