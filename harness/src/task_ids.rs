//! `--task-ids GLOB,...`: tasks chosen by id, so the tasks that differ between two runs can be
//! run again. `*` matches any run of characters (`/` included), `?` any one character; anything
//! else matches itself.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskIdsError {
    #[error("--task-ids: no pattern given (expected globs separated by commas, e.g. HumanEval/1*)")]
    Empty,
    #[error("--task-ids: {0} match no task of the selection (check --suite, --language, --limit)")]
    NoMatch(String),
}

/// The globs of `--task-ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskIds {
    globs: Vec<String>,
}

impl TaskIds {
    pub fn parse(text: &str) -> Result<TaskIds, TaskIdsError> {
        let globs: Vec<String> =
            text.split(',').map(str::trim).filter(|g| !g.is_empty()).map(str::to_string).collect();
        if globs.is_empty() {
            return Err(TaskIdsError::Empty);
        }
        Ok(TaskIds { globs })
    }

    pub fn matches(&self, id: &str) -> bool {
        self.globs.iter().any(|g| glob_match(g, id))
    }

    /// The ids of `ids` that some glob matches, in their order. A glob that matches none is an
    /// error (a typo would otherwise quietly run fewer tasks).
    pub fn filter<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<Vec<&'a str>, TaskIdsError> {
        let unmatched: Vec<&str> = self
            .globs
            .iter()
            .filter(|g| !ids.clone().into_iter().any(|id| glob_match(g, id)))
            .map(String::as_str)
            .collect();
        if !unmatched.is_empty() {
            return Err(TaskIdsError::NoMatch(unmatched.join(", ")));
        }
        Ok(ids.into_iter().filter(|id| self.matches(id)).collect())
    }
}

/// Whether `glob` matches all of `text`. Iterative with one backtrack point (the last `*`), so
/// linear in practice and never exponential.
fn glob_match(glob: &str, text: &str) -> bool {
    let (g, t): (Vec<char>, Vec<char>) = (glob.chars().collect(), text.chars().collect());
    let (mut gi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match g.get(gi) {
            Some('*') => {
                star = Some((gi, ti));
                gi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                gi += 1;
                ti += 1;
            }
            _ => match star {
                // Let the last `*` take one more character and try again.
                Some((sg, st)) => {
                    gi = sg + 1;
                    ti = st + 1;
                    star = Some((sg, st + 1));
                }
                None => return false,
            },
        }
    }
    g[gi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_ids() {
        assert!(glob_match("HumanEval/1*", "HumanEval/1"));
        assert!(glob_match("HumanEval/1*", "HumanEval/163"));
        assert!(!glob_match("HumanEval/1*", "HumanEval/21"));
        assert!(glob_match("HumanEval/?", "HumanEval/7"));
        assert!(!glob_match("HumanEval/?", "HumanEval/17"));
        assert!(glob_match("*", "anything/at/all"));
        assert!(glob_match("*/3", "HumanEval-js/3"));
        assert!(glob_match("a*b*c", "aXXbYYbc"));
        assert!(!glob_match("a*b*c", "aXXbYYbd"));
        assert!(glob_match("HumanEval/42", "HumanEval/42"));
        assert!(!glob_match("HumanEval/42", "HumanEval/420"));
    }

    #[test]
    fn filter_keeps_order_and_names_globs_that_match_nothing() {
        let ids = ["HumanEval/0", "HumanEval/1", "HumanEval/10", "HumanEval/2"];
        let chosen = TaskIds::parse("HumanEval/2, HumanEval/1*").unwrap();
        assert_eq!(
            chosen.filter(ids.iter().copied()).unwrap(),
            ["HumanEval/1", "HumanEval/10", "HumanEval/2"]
        );
        let typo = TaskIds::parse("HumanEval/1,HumanEvl/*").unwrap();
        let err = typo.filter(ids.iter().copied()).unwrap_err().to_string();
        assert!(err.contains("HumanEvl/*") && !err.contains("HumanEval/1,"), "{err}");
        assert_eq!(TaskIds::parse(" , "), Err(TaskIdsError::Empty));
    }
}
