//! Generation budgets of test-writing tasks. A pytest suite for a module is about as long as the
//! module: the corpus's own suites run from 0.6x to 1.6x their module's size. The budget sized
//! for code tasks (768 tokens, `--max-tokens`' default) cut most answers mid-test (issue 12), so
//! each test-writing task gets a budget scaled to its module instead. A `--max-tokens` the user
//! gives wins over every budget.
//!
//! Sizes are estimated from characters, not tokenized: the budget is fixed before any model is
//! loaded (it is recorded in the manifest and must be the same for every model of the run).

use evalrun_core::{Task, TaskKind};
use std::collections::BTreeMap;

/// Characters per token assumed by [`estimate_tokens`]. The BPE tokenizers of code models
/// (Qwen2.5, Llama 3, Gemma) average 3.5 to 4.5 characters per token on Python; 3 errs toward
/// more tokens, which is the safe side both for fitting a prompt into the context and for
/// leaving an answer room.
pub const CHARS_PER_TOKEN: usize = 3;

/// An answer's budget relative to the module, in tokens: 1.5x covers the longest suites of the
/// corpus (1.6x their module in characters, where the estimate already overcounts tokens).
const SCALE_NUM: u32 = 3;
const SCALE_DEN: u32 = 2;

/// Below this, an answer for even the smallest module (2,100 characters in the corpus) is cut
/// before it tests everything: a suite for it takes about 700 tokens, and models write long.
pub const MIN_BUDGET: u32 = 1024;

/// Above this, generation time grows without more tests: a model that has not stopped by then
/// is most often repeating itself.
pub const MAX_BUDGET: u32 = 3072;

/// Budgets are rounded up to a multiple of this, so that small edits of a module do not change
/// its budget (and with it the run's manifest).
const ROUNDING: u32 = 64;

/// Tokens of a test-writing prompt besides the code it shows: the instruction (about 330
/// characters, 110 tokens by this estimate) and the chat template's markup, with room to spare.
pub const PROMPT_OVERHEAD: u32 = 200;

/// The least an answer is given, however little room the prompt leaves: the backend caps
/// generation at the end of the context anyway, and a budget of 0 would ask for nothing.
const MIN_ANSWER: u32 = 256;

/// The tokens of `text`, estimated from its length (an overestimate for most tokenizers).
pub fn estimate_tokens(text: &str) -> u32 {
    u32::try_from(text.chars().count().div_ceil(CHARS_PER_TOKEN)).unwrap_or(u32::MAX)
}

/// `budget`, lowered so that a prompt of `prompt_tokens` and the answer fit a context of `ctx`
/// tokens; never below a small floor (a prompt that fills the context is the backend's to refuse).
pub fn fit_context(budget: u32, prompt_tokens: u32, ctx: u32) -> u32 {
    budget.min(ctx.saturating_sub(prompt_tokens)).max(MIN_ANSWER.min(budget))
}

/// The budget of a test-writing task whose module is `module`: 1.5x the module's estimated
/// tokens, rounded up to a multiple of 64, within [`MIN_BUDGET`]..=[`MAX_BUDGET`], then lowered
/// to fit a context of `ctx` with the prompt.
pub fn module_budget(module: &str, ctx: u32) -> u32 {
    let tokens = estimate_tokens(module);
    let scaled = tokens.saturating_mul(SCALE_NUM) / SCALE_DEN;
    let budget = scaled.div_ceil(ROUNDING).saturating_mul(ROUNDING).clamp(MIN_BUDGET, MAX_BUDGET);
    fit_context(budget, tokens.saturating_add(PROMPT_OVERHEAD), ctx)
}

/// The generation budgets of a run's test-writing tasks. Code tasks have none: they get the
/// run's `--max-tokens` (768 unless given).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenBudgets {
    /// `--max-tokens`, when the user gave it: every task gets it, in every round.
    pub user: Option<u32>,
    /// The context window of each sequence (`--ctx`), which feedback prompts and their answers
    /// must fit together.
    pub ctx: u32,
    /// What each test-writing task got, by task id (recorded in the manifest as `token_budgets`).
    pub tasks: BTreeMap<String, u32>,
}

impl TokenBudgets {
    /// The budgets of the test-writing tasks among `tasks`: `user` (`--max-tokens`) when given,
    /// else each module's [`module_budget`].
    pub fn new(tasks: &[Task], user: Option<u32>, ctx: u32) -> Self {
        let tasks = tasks
            .iter()
            .filter(|t| t.kind == TaskKind::TestWriting)
            .map(|t| (t.id.clone(), user.unwrap_or_else(|| module_budget(&t.prompt, ctx))))
            .collect();
        TokenBudgets { user, ctx, tasks }
    }

    /// Most tokens of an answer to `task_id`'s own prompt; `None` for a task without a budget of
    /// its own (a code task), which gets the run's `--max-tokens`.
    pub fn get(&self, task_id: &str) -> Option<u32> {
        self.tasks.get(task_id).copied()
    }

    /// Most tokens of an answer to a feedback prompt of about `prompt_tokens` for `task_id`: the
    /// task's budget, lowered to fit the context with that longer prompt unless the user set it.
    pub fn for_round(&self, task_id: &str, prompt_tokens: u32) -> Option<u32> {
        let budget = self.get(task_id)?;
        Some(match self.user {
            Some(_) => budget,
            None => fit_context(budget, prompt_tokens, self.ctx),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, kind: TaskKind, prompt: &str) -> Task {
        Task { id: id.into(), kind, prompt: prompt.into(), ..Task::default() }
    }

    #[test]
    fn budgets_scale_with_the_module_within_bounds() {
        // 2,100 characters: about 700 tokens, 1,050 scaled, rounded up to 1,088.
        assert_eq!(module_budget(&"x".repeat(2100), 4096), 1088);
        // 4,400 characters: 1,467 tokens, 2,200 scaled, 2,240 rounded; fits 4096 with the prompt.
        assert_eq!(module_budget(&"x".repeat(4400), 4096), 2240);
        // A tiny module still gets the floor, a huge one the ceiling (before the context).
        assert_eq!(module_budget("def f():\n    pass\n", 4096), MIN_BUDGET);
        assert_eq!(module_budget(&"x".repeat(9000), 16384), MAX_BUDGET);
        // Budgets are multiples of 64.
        for n in [2000, 2500, 3000, 3500, 4000] {
            assert_eq!(module_budget(&"x".repeat(n), 4096) % 64, 0, "{n}");
        }
    }

    #[test]
    fn the_budget_and_the_prompt_fit_the_context() {
        for (chars, ctx) in [(4400, 2048), (6000, 4096), (9000, 4096), (2100, 1536)] {
            let module = "x".repeat(chars);
            let budget = module_budget(&module, ctx);
            let prompt = estimate_tokens(&module) + PROMPT_OVERHEAD;
            assert!(budget + prompt <= ctx || budget == MIN_ANSWER, "{chars} in {ctx}: {budget}");
        }
        // A prompt that fills the context leaves the floor, which the backend then caps.
        assert_eq!(fit_context(2000, 5000, 4096), MIN_ANSWER);
        assert_eq!(fit_context(100, 5000, 4096), 100);
        assert_eq!(fit_context(1024, 1000, 4096), 1024);
    }

    #[test]
    fn the_users_max_tokens_wins() {
        let tasks = [
            task("HumanEval/0", TaskKind::Code, "def f():\n"),
            task("testwriting/a", TaskKind::TestWriting, &"x".repeat(2100)),
            task("testwriting/b", TaskKind::TestWriting, &"x".repeat(4400)),
        ];
        let own = TokenBudgets::new(&tasks, None, 4096);
        assert_eq!(own.get("HumanEval/0"), None);
        assert_eq!(own.get("testwriting/a"), Some(1088));
        assert_eq!(own.get("testwriting/b"), Some(2240));
        // A feedback prompt is longer: the answer shrinks to fit, unless the user set it.
        assert_eq!(own.for_round("testwriting/b", 3000), Some(1096));
        assert_eq!(own.for_round("HumanEval/0", 3000), None);
        let user = TokenBudgets::new(&tasks, Some(512), 4096);
        assert_eq!(user.tasks.values().copied().collect::<Vec<_>>(), [512, 512]);
        assert_eq!(user.for_round("testwriting/b", 3900), Some(512));
    }

    #[test]
    fn the_estimate_counts_characters_not_bytes() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcd"), 2);
        assert_eq!(estimate_tokens("ééé"), 1);
    }
}
