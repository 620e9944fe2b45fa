//! Like with like: entries are ranked on the tasks they all ran, never on unlike task sets.
//!
//! Entries are gathered into groups, one per task set they can fairly share. Taken from the
//! most tasks to the fewest, each entry joins the first group whose common tasks (the tasks
//! every member ran) would still be at least [`MIN_COMMON_SHARE`] of the tasks of every member,
//! itself included; otherwise it opens a group of its own. Within a group, entries are ranked by
//! pass@1 over the group's common tasks (`pass_at_1_common`), and the quality/speed frontier is
//! drawn on that same pass@1.

use super::{pass_at_1_interval, Entry, TaskOutcome};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Reverse;
use std::collections::BTreeSet;

/// The least share of each member's own tasks that a group's common tasks must keep. At one half,
/// a run of all 164 HumanEval tasks and one of its first 20 are ranked apart (20 is 12% of 164),
/// while runs that lost a few tasks, or ran a large subset, are ranked together on what they
/// share.
pub const MIN_COMMON_SHARE: f64 = 0.5;

/// Entries ranked together on the tasks they all ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// 1-based, in the order of the leaderboard's `groups`.
    pub id: usize,
    /// The tasks every member ran: their number.
    pub common_tasks: usize,
    /// The tasks every member ran: [`task_set_hash`] of their ids.
    pub task_set: String,
    /// Labels of the members, best first.
    pub entries: Vec<String>,
}

/// sha256 (hex) of a set of task ids: the ids sorted bytewise, duplicates dropped, each followed
/// by a newline; the same as `printf '%s\n' IDS | LC_ALL=C sort -u | sha256sum`.
pub fn task_set_hash<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let ids: BTreeSet<&str> = ids.into_iter().collect();
    let mut hash = Sha256::new();
    for id in ids {
        hash.update(id.as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

/// The members of each group (indices into `task_sets`) and their common tasks, by the rule of
/// the module's documentation.
fn partition<'a>(task_sets: &[BTreeSet<&'a str>], hashes: &[String]) -> Vec<(Vec<usize>, BTreeSet<&'a str>)> {
    let mut order: Vec<usize> = (0..task_sets.len()).collect();
    // Most tasks first, so that a large task set is not cut down to a small one's; then by task
    // set, so that entries of one set arrive together whatever the order of the runs.
    order.sort_by_key(|&i| (Reverse(task_sets[i].len()), &hashes[i], i));
    let mut groups: Vec<(Vec<usize>, BTreeSet<&'a str>)> = Vec::new();
    for i in order {
        let tasks = &task_sets[i];
        let fits = |(members, common): &(Vec<usize>, BTreeSet<&'a str>)| {
            let shared = common.intersection(tasks).count();
            let largest = members.iter().map(|&m| task_sets[m].len()).chain([tasks.len()]).max().unwrap_or(0);
            shared > 0 && shared as f64 >= MIN_COMMON_SHARE * largest as f64
        };
        match groups.iter_mut().find(|g| fits(g)) {
            Some((members, common)) => {
                members.push(i);
                common.retain(|t| tasks.contains(t));
            }
            None => groups.push((vec![i], tasks.clone())),
        }
    }
    groups
}

/// Groups `entries` (labelled, in any order), gives each its group, `pass_at_1_common`, rank
/// and frontier mark, and orders them group by group, best first. Returns the groups: most
/// common tasks first, then most members.
pub(super) fn rank_in_groups(entries: &mut Vec<Entry>) -> Vec<Group> {
    let hashes: Vec<String> = entries.iter().map(|e| e.task_set.clone()).collect();
    let mut parts = {
        let task_sets: Vec<BTreeSet<&str>> =
            entries.iter().map(|e| e.task_outcomes.iter().map(|t| t.task_id.as_str()).collect()).collect();
        partition(&task_sets, &hashes)
            .into_iter()
            .map(|(members, common)| {
                let common: BTreeSet<String> = common.into_iter().map(str::to_string).collect();
                (members, common)
            })
            .collect::<Vec<_>>()
    };
    parts.sort_by(|(a_members, a_common), (b_members, b_common)| {
        b_common
            .len()
            .cmp(&a_common.len())
            .then_with(|| b_members.len().cmp(&a_members.len()))
            .then_with(|| a_members.cmp(b_members))
    });

    let mut taken: Vec<Option<Entry>> = std::mem::take(entries).into_iter().map(Some).collect();
    let mut groups = Vec::with_capacity(parts.len());
    for (index, (members, common)) in parts.into_iter().enumerate() {
        let id = index + 1;
        let mut members: Vec<Entry> = members.into_iter().filter_map(|i| taken[i].take()).collect();
        for e in &mut members {
            e.group = id;
            e.pass_at_1_common = if e.task_outcomes.len() == common.len() {
                // Its own tasks are the common ones: the same figure, to the bit.
                e.pass_at_1.clone()
            } else {
                let outcomes: Vec<TaskOutcome> =
                    e.task_outcomes.iter().filter(|t| common.contains(&t.task_id)).cloned().collect();
                pass_at_1_interval(&outcomes, None)
            };
        }
        mark_pareto(&mut members);
        members.sort_by(|a, b| {
            b.pass_at_1_common
                .value
                .total_cmp(&a.pass_at_1_common.value)
                .then_with(|| {
                    b.gen_tokens_per_s().unwrap_or(-1.0).total_cmp(&a.gen_tokens_per_s().unwrap_or(-1.0))
                })
                .then_with(|| a.label.cmp(&b.label))
        });
        for i in 0..members.len() {
            let tied = i > 0 && members[i].pass_at_1_common.value == members[i - 1].pass_at_1_common.value;
            members[i].rank = if tied { members[i - 1].rank } else { i + 1 };
        }
        groups.push(Group {
            id,
            common_tasks: common.len(),
            task_set: task_set_hash(common.iter().map(String::as_str)),
            entries: members.iter().map(|e| e.label.clone()).collect(),
        });
        entries.extend(members);
    }
    groups
}

/// Marks the entries of one group that no other is both as accurate (on the common tasks) and as
/// fast as, and better in one.
fn mark_pareto(entries: &mut [Entry]) {
    let points: Vec<Option<(f64, f64)>> =
        entries.iter().map(|e| e.gen_tokens_per_s().map(|s| (e.pass_at_1_common.value, s))).collect();
    for (i, e) in entries.iter_mut().enumerate() {
        e.pareto = points[i].is_some_and(|(q, s)| {
            !points.iter().flatten().any(|&(oq, os)| oq >= q && os >= s && (oq > q || os > s))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(specs: &[std::ops::Range<usize>]) -> (Vec<Vec<String>>, Vec<String>) {
        let ids: Vec<Vec<String>> =
            specs.iter().map(|r| r.clone().map(|i| format!("T/{i}")).collect()).collect();
        let hashes = ids.iter().map(|s| task_set_hash(s.iter().map(String::as_str))).collect();
        (ids, hashes)
    }

    fn groups_of(specs: &[std::ops::Range<usize>]) -> Vec<(Vec<usize>, usize)> {
        let (ids, hashes) = sets(specs);
        let task_sets: Vec<BTreeSet<&str>> =
            ids.iter().map(|s| s.iter().map(String::as_str).collect()).collect();
        partition(&task_sets, &hashes).into_iter().map(|(m, c)| (m, c.len())).collect()
    }

    #[test]
    fn the_hash_is_that_of_the_sorted_ids() {
        // printf 'HumanEval/0\nHumanEval/1\nHumanEval/10\n' | sha256sum
        let want = "8cfb9138c828f3b8b3508b9600e2b7475a28628a19f183fd19ba332fc351df94";
        // Bytewise order (`10` before `2`), duplicates once.
        assert_eq!(task_set_hash(["HumanEval/10", "HumanEval/0", "HumanEval/1", "HumanEval/0"]), want);
        assert_ne!(task_set_hash(["HumanEval/1", "HumanEval/10"]), want);
    }

    #[test]
    fn a_small_subset_is_ranked_apart() {
        // 164 tasks twice, the first 20, 163 of them (one lost), and a different suite.
        let groups = groups_of(&[0..164, 0..20, 0..164, 1..164, 1000..1005]);
        assert_eq!(groups, [(vec![0, 2, 3], 163), (vec![1], 20), (vec![4], 5)]);
    }

    #[test]
    fn a_group_keeps_half_of_every_members_tasks() {
        // 100 tasks, then 60 of them (joins: 60 >= 50), then 40 of those (would leave 40 < 50 of
        // the first's 100: a group of its own).
        let groups = groups_of(&[0..100, 0..60, 20..60]);
        assert_eq!(groups, [(vec![0, 1], 60), (vec![2], 40)]);
        // Exactly half joins.
        assert_eq!(groups_of(&[0..10, 0..5]), [(vec![0, 1], 5)]);
        // Entries of the same task set always share a group, whatever their order.
        let groups = groups_of(&[0..20, 0..164, 0..20, 0..164]);
        assert_eq!(groups, [(vec![1, 3], 164), (vec![0, 2], 20)]);
    }
}
