//! The GGUF header and metadata reader (`models verify`, `models list`, backends' loaders).
#![no_main]

use evalrun_backends::models::GgufHeader;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.gguf");
    let len = data.len() as u64;
    if let Ok(header) = GgufHeader::from_reader(Cursor::new(data), len, path) {
        assert!(header.metadata().count() as u64 == header.kv_count);
        for (key, value) in header.metadata() {
            let _ = (key.len(), value.to_string(), value.as_u64(), value.as_str());
        }
        let _ = (header.name(), header.architecture(), header.file_type(), header.chat_template());
    }
    // A file that is shorter than its stated length (it shrank while being read).
    let _ = GgufHeader::from_reader(Cursor::new(data), len.saturating_mul(2).saturating_add(64), path);
});
