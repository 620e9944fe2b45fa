//! Shared types and traits of evalrun.
//!
//! Everything that crosses a crate boundary lives here: the task model (what the corpus holds),
//! the [`Backend`] trait (what a model adapter must do), generation statistics, execution
//! verdicts, and the journal record that ties them together.

pub mod backend;
pub mod generation;
pub mod record;
pub mod round;
pub mod sampling;
pub mod summary;
pub mod task;
pub mod verdict;

pub use backend::{generate_all, Backend, BackendError, CollectSink, GenerationSink};
pub use generation::{ChatMessage, FinishReason, Generation, GenerationRequest, GenerationStats, Prompt};
pub use record::{SampleKey, SampleRecord};
pub use round::RoundRecord;
pub use sampling::SamplingParams;
pub use summary::{GroupSummary, ModelSummary, RunSummary};
pub use task::{Language, LimitOverrides, Mutant, Task, TaskKind};
pub use verdict::{Status, Verdict};

/// evalrun's own version, recorded in every manifest.
pub const EVALRUN_VERSION: &str = env!("CARGO_PKG_VERSION");
