//! The chat-template renderer on a hostile template (a GGUF's `tokenizer.chat_template`) and
//! message. Input: the template, a NUL byte, then the user's message.
//! Must end in a template or render error within its fuel and output limits: never a hang, an
//! out-of-memory or a crash.
#![no_main]

use evalrun_backends::chat_template::{ChatTemplate, MAX_OUTPUT_BYTES};
use evalrun_core::ChatMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (source, message) = text.split_once('\0').unwrap_or((text, "Hello."));
    let Ok(template) = ChatTemplate::new(source, "<s>", "</s>") else { return };
    let chat = [
        ChatMessage::new("system", "You are a helpful assistant."),
        ChatMessage::new("user", message),
        ChatMessage::new("assistant", "def f():\n    return 1\n"),
        ChatMessage::new("user", message),
    ];
    for generation_prompt in [true, false] {
        if let Ok(out) = template.render(&chat, generation_prompt) {
            assert!(out.len() <= MAX_OUTPUT_BYTES);
        }
    }
});
