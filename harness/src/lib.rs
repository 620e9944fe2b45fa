//! evalrun's harness: prompts and code extraction, sandboxed execution, scoring, the journal,
//! and the pipeline that runs them with generation and execution overlapped.

pub mod breakdown;
pub mod corpus_check;
pub mod extract;
pub mod journal;
pub mod judge;
pub mod languages;
pub mod manifest;
pub mod merge;
pub mod pipeline;
pub mod prompt;
pub mod repetition;
pub mod replay;
pub mod samples_file;
pub mod sandbox;
pub mod score;
pub mod shard;
pub mod task_ids;
pub mod testwriting;
