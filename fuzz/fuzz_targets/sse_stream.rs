//! A server's event stream, as the `openai` backend reads it: server-sent events, then each
//! event's data as a streamed chunk. The first byte sizes the read buffer, so events straddle
//! buffer boundaries at every offset.
#![no_main]

use evalrun_backends::openai::{parse_chunk, SseReader};
use libfuzzer_sys::fuzz_target;
use std::io::BufReader;

fuzz_target!(|data: &[u8]| {
    let Some((&first, stream)) = data.split_first() else { return };
    let capacity = usize::from(first % 32) + 1;
    let mut events = SseReader::new(BufReader::with_capacity(capacity, stream));
    // Each event consumes at least one byte, so this ends; the bound guards against a bug.
    for _ in 0..=stream.len() {
        match events.next_data() {
            Ok(Some(data)) => {
                assert!(data.len() <= stream.len());
                if data.trim() != "[DONE]" {
                    let _ = parse_chunk(&data);
                }
            }
            Ok(None) | Err(_) => return,
        }
    }
    panic!("the reader yielded more events than the stream has bytes");
});
