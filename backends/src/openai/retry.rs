//! Bounded retries with exponential backoff, for the requests a server turns away for now
//! (429 Too Many Requests, 5xx, a dropped connection).

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 never retries.
    pub max_retries: u32,
    /// Wait before the first retry; each later wait doubles it.
    pub initial_backoff: Duration,
    /// No wait is longer, whatever the server's `Retry-After` asks.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): `initial * 2^retry`, or the server's
    /// `Retry-After`, never above `max_backoff`.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self.initial_backoff.saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX));
        retry_after.unwrap_or(exponential).min(self.max_backoff)
    }
}

/// The outcome of one attempt.
pub enum Attempt<T> {
    Done(T),
    /// Worth trying again (the server was busy or failed); `retry_after` is its `Retry-After`.
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Trying again would not help (4xx other than 408/429, a malformed answer).
    Fail(String),
}

/// Whether an HTTP status means "try again later".
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Run `attempt` until it is done, fails for good, or the retries are used up; `sleep` waits
/// between attempts (a parameter so tests need not sleep). Returns the value and the number of
/// retries it took.
pub fn with_retries<T>(
    policy: &RetryPolicy,
    mut attempt: impl FnMut() -> Attempt<T>,
    mut sleep: impl FnMut(Duration),
) -> Result<(T, u32), String> {
    let mut retry = 0;
    loop {
        match attempt() {
            Attempt::Done(value) => return Ok((value, retry)),
            Attempt::Fail(reason) => return Err(reason),
            Attempt::Retry { reason, .. } if retry >= policy.max_retries => {
                return Err(format!("{reason} (gave up after {} attempts)", retry + 1))
            }
            Attempt::Retry { reason, retry_after } => {
                let wait = policy.backoff(retry, retry_after);
                tracing::warn!("{reason}; retrying in {:.1} s", wait.as_secs_f64());
                sleep(wait);
                retry += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = policy(10);
        let waits: Vec<u128> = (0..6).map(|r| p.backoff(r, None).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(p.backoff(40, None), Duration::from_secs(1), "no overflow on large retry counts");
        assert_eq!(p.backoff(0, Some(Duration::from_millis(300))), Duration::from_millis(300));
        assert_eq!(p.backoff(0, Some(Duration::from_secs(60))), Duration::from_secs(1));
    }

    #[test]
    fn retries_until_success_and_counts_waits() {
        let mut calls = 0;
        let mut slept = Vec::new();
        let result = with_retries(
            &policy(5),
            || {
                calls += 1;
                if calls < 3 {
                    Attempt::Retry { reason: "429".into(), retry_after: None }
                } else {
                    Attempt::Done(calls)
                }
            },
            |d| slept.push(d.as_millis()),
        );
        assert_eq!(result, Ok((3, 2)));
        assert_eq!(slept, vec![100, 200]);
    }

    #[test]
    fn gives_up_after_max_retries_and_never_retries_a_hard_failure() {
        let mut calls = 0;
        let result: Result<((), u32), String> = with_retries(
            &policy(2),
            || {
                calls += 1;
                Attempt::Retry { reason: "HTTP 503".into(), retry_after: None }
            },
            |_| {},
        );
        assert_eq!(calls, 3);
        assert!(result.unwrap_err().contains("gave up after 3 attempts"));

        let mut calls = 0;
        let result: Result<((), u32), String> = with_retries(
            &policy(5),
            || {
                calls += 1;
                Attempt::Fail("HTTP 400".into())
            },
            |_| {},
        );
        assert_eq!((calls, result), (1, Err("HTTP 400".to_string())));
        assert!(is_retryable_status(429) && is_retryable_status(503) && !is_retryable_status(404));
    }
}
