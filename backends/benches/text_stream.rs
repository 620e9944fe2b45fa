//! The text side of one sampled token (crate::text_stream): its bytes appended, the text so far
//! checked for UTF-8 and for stop sequences, the safe part streamed. A scheduler does this for
//! every sequence at every step, so its cost must not grow with what was generated before.
//!
//!   cargo bench -p evalrun-backends --bench text_stream

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use evalrun_backends::text_stream::TextStream;
use std::hint::black_box;
use std::ops::ControlFlow;

/// HumanEval's stop sequences (the evalplus-instruct-v2 template).
const STOPS: [&str; 4] = ["\n```", "\nif __name__", "\ndef main(", "\nprint("];

/// Token-sized pieces of Python that never contains a stop sequence.
fn pieces(n: usize) -> Vec<&'static [u8]> {
    const WORDS: [&str; 8] = ["    x", " =", " value", "[i]", " +", " 1", "\n", "    return"];
    (0..n).map(|i| WORDS[i % WORDS.len()].as_bytes()).collect()
}

fn text_stream(c: &mut Criterion) {
    let stops: Vec<String> = STOPS.iter().map(|s| s.to_string()).collect();
    let mut group = c.benchmark_group("one generation, token by token");
    for tokens in [128usize, 512, 2048] {
        let input = pieces(tokens);
        group.throughput(Throughput::Elements(tokens as u64));
        group.bench_with_input(BenchmarkId::from_parameter(tokens), &input, |b, input| {
            b.iter(|| {
                let mut stream = TextStream::new(&stops);
                let mut sink = |s: &str| {
                    black_box(s);
                    ControlFlow::Continue(())
                };
                for piece in input {
                    black_box(stream.push(piece, &mut sink));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, text_stream);
criterion_main!(benches);
