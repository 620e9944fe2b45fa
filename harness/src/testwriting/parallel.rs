//! Spreading sandbox work over several workers: one thread per worker, each taking the next
//! item until none is left. Results come back in the order of the items.

use crate::sandbox::{PythonWorker, SandboxError, WorkerCommand};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub fn map_with_workers<T, R, F>(
    items: &[T],
    workers: usize,
    command: &WorkerCommand,
    f: F,
) -> Result<Vec<R>, SandboxError>
where
    T: Sync,
    R: Send,
    F: Fn(&mut PythonWorker, &T) -> R + Sync,
{
    let count = workers.clamp(1, items.len().max(1));
    let mut pool = (0..count).map(|_| PythonWorker::spawn(command.clone())).collect::<Result<Vec<_>, _>>()?;
    map_on_workers(&mut pool, items, f)
}

/// [`map_with_workers`] over workers the caller holds, so that they stay warm (pytest imported,
/// its session prepared) from one call to the next. One worker, or one item, runs inline.
pub fn map_on_workers<T, R, F>(pool: &mut [PythonWorker], items: &[T], f: F) -> Result<Vec<R>, SandboxError>
where
    T: Sync,
    R: Send,
    F: Fn(&mut PythonWorker, &T) -> R + Sync,
{
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let count = pool.len().min(items.len());
    match pool {
        [] => return Err(SandboxError::Protocol("no sandbox worker to run on".into())),
        [worker, ..] if count == 1 => return Ok(items.iter().map(|item| f(worker, item)).collect()),
        _ => {}
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for worker in pool[..count].iter_mut() {
            let (next, results, f) = (&next, &results, &f);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(worker, item);
                if let Ok(mut slots) = results.lock() {
                    slots[i] = Some(r);
                }
            });
        }
    });
    let slots =
        results.into_inner().map_err(|_| SandboxError::Protocol("a worker thread panicked".into()))?;
    slots
        .into_iter()
        .collect::<Option<Vec<R>>>()
        .ok_or_else(|| SandboxError::Protocol("a worker thread panicked".into()))
}
