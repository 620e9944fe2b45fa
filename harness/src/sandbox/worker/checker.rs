//! The check's process: forked once from the warm worker and reused for every check, since a
//! fork per sample would double what a sample costs. It never runs sample code: only checks
//! (trusted code from the task) and the plain data their proxies decode (`proxy.py`), so what a
//! check can find of an earlier one is what trusted code left. It takes one check at a time on a
//! control socket, with the descriptor of the channel to that sample's solution attached
//! (`SCM_RIGHTS`), runs it ([`Worker::run_check`]) and answers with the report.
//!
//! Its fence: the sandbox uid, no new privileges, a memory limit, the worker's own layers (the
//! host read-only, no network), not dumpable. No CPU-time limit (it would add up over checks):
//! each check has the sample's deadline, after which the worker kills the solution and, if the
//! check does not answer then, the checker too (a new one is forked for the next sample).

use super::{ChildOutcome, ChildReport, Fence, Worker};
use crate::sandbox::launch::{Ended, Launched};
use crate::sandbox::protocol::CheckedProgram;
use crate::sandbox::Limits;
use libc::c_int;
use pyo3::prelude::*;
use std::time::{Duration, Instant};

/// The control socket's end in the checker.
const CONTROL: c_int = 3;
/// A check or a report larger than this is refused.
const MAX_MESSAGE: usize = 64 << 20;
/// How long a checker may take to answer once the solution it talks to is gone.
const GRACE: Duration = Duration::from_secs(2);

pub(super) struct Checker {
    launched: Launched,
    /// The worker's end of the control socket.
    control: c_int,
}

/// How a check went.
pub(super) enum Answer {
    Report(ChildReport),
    /// The deadline passed (the checker was stopped if it did not answer after it).
    TimedOut,
    /// The checker died or broke the protocol: how it ended.
    Lost(Ended),
}

impl Checker {
    pub(super) fn start(worker: &Worker, py: Python<'_>) -> Result<Checker, String> {
        let limits = Limits { cpu_time_s: Some(1e9), ..Limits::default() };
        let (control, checker_end) = super::checked::socket_pair()?;
        let fence = Fence::shared(worker, &limits);
        let mut body = || worker.serve_checks(py);
        let launched = fence.launch(checker_end, None, &mut body);
        unsafe { libc::close(checker_end) };
        match launched {
            Ok(launched) => Ok(Checker { launched, control }),
            Err(e) => {
                unsafe { libc::close(control) };
                Err(e)
            }
        }
    }

    pub(super) fn alive(&self) -> bool {
        !self.launched.has_exited()
    }

    /// Run `program`'s check against the solution at the other end of `link` (closed here),
    /// until `deadline`; `on_deadline` runs when it passes (it stops the solution).
    pub(super) fn check(
        &mut self,
        program: &CheckedProgram,
        link: c_int,
        deadline: Instant,
        on_deadline: &mut dyn FnMut(),
    ) -> Answer {
        let request = serde_json::to_vec(program).unwrap_or_default();
        let sent = send_with_fd(self.control, &request, link);
        unsafe { libc::close(link) };
        if !sent {
            return Answer::Lost(self.stop());
        }
        match read_message(self.control, deadline) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(report) => Answer::Report(report),
                Err(_) => Answer::Lost(self.stop()),
            },
            Err(Wait::Closed) => Answer::Lost(self.stop()),
            Err(Wait::Deadline) => {
                on_deadline();
                // The check now sees its solution gone and answers; an answer that does not
                // come means a check stuck on its own: that checker goes.
                if read_message(self.control, Instant::now() + GRACE).is_err() {
                    self.stop();
                }
                Answer::TimedOut
            }
        }
    }

    /// Kill it (if it still runs) and say how it ended.
    pub(super) fn stop(&mut self) -> Ended {
        unsafe { libc::shutdown(self.control, libc::SHUT_RDWR) };
        self.launched.stop()
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        unsafe { libc::close(self.control) };
    }
}

impl Worker {
    /// In the checker: run checks as they come, until the worker closes the control socket.
    fn serve_checks(&self, py: Python<'_>) -> c_int {
        unsafe {
            // Not dumpable: a process of the same uid can neither trace it nor read its memory.
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
            // A write to a channel a solution closed is an error to report, not a fatal signal.
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
        loop {
            let Some((request, link)) = receive_with_fd(CONTROL) else { return 0 };
            let (status, detail, exception, pytest): ChildOutcome = match serde_json::from_slice(&request) {
                Ok(program) => self.run_check(py, &program, link),
                Err(e) => (evalrun_core::Status::Crashed, format!("unreadable check: {e}"), None, None),
            };
            unsafe { libc::close(link) };
            let report = ChildReport { status, detail, exception, pytest };
            let bytes = serde_json::to_vec(&report).unwrap_or_default();
            let mut message = (bytes.len() as u32).to_le_bytes().to_vec();
            message.extend_from_slice(&bytes);
            if !super::write_all(CONTROL, &message) {
                return 71;
            }
        }
    }
}

enum Wait {
    Deadline,
    Closed,
}

/// A length-prefixed message, read by `deadline`.
fn read_message(fd: c_int, deadline: Instant) -> Result<Vec<u8>, Wait> {
    let mut header = [0u8; 4];
    read_exact(fd, &mut header, deadline)?;
    let n = u32::from_le_bytes(header) as usize;
    if n > MAX_MESSAGE {
        return Err(Wait::Closed);
    }
    let mut message = vec![0u8; n];
    read_exact(fd, &mut message, deadline)?;
    Ok(message)
}

fn read_exact(fd: c_int, mut buf: &mut [u8], deadline: Instant) -> Result<(), Wait> {
    while !buf.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Wait::Deadline);
        }
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        let ms = left.as_millis().clamp(1, c_int::MAX as u128) as c_int;
        if unsafe { libc::poll(&mut pfd, 1, ms) } <= 0 {
            continue;
        }
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n == 0 {
            return Err(Wait::Closed);
        }
        if n < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(Wait::Closed);
        }
        buf = &mut buf[n as usize..];
    }
    Ok(())
}

/// Send `message` (length-prefixed) with `fd` attached to its first byte.
fn send_with_fd(socket: c_int, message: &[u8], fd: c_int) -> bool {
    let header = (message.len() as u32).to_le_bytes();
    let mut iov = libc::iovec { iov_base: header.as_ptr() as *mut libc::c_void, iov_len: header.len() };
    let space = unsafe { libc::CMSG_SPACE(std::mem::size_of::<c_int>() as u32) } as usize;
    let mut control = vec![0u8; space];
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<c_int>() as u32) as _;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<c_int>(), fd);
        if libc::sendmsg(socket, &msg, libc::MSG_NOSIGNAL) != header.len() as isize {
            return false;
        }
    }
    send_all(socket, message)
}

fn send_all(socket: c_int, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        let n = unsafe { libc::send(socket, bytes.as_ptr().cast(), bytes.len(), libc::MSG_NOSIGNAL) };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return false;
        }
        bytes = &bytes[n as usize..];
    }
    true
}

/// In the checker: the next message and the descriptor attached to it; `None` at the end.
fn receive_with_fd(socket: c_int) -> Option<(Vec<u8>, c_int)> {
    let mut header = [0u8; 4];
    let mut iov = libc::iovec { iov_base: header.as_mut_ptr().cast(), iov_len: header.len() };
    let space = unsafe { libc::CMSG_SPACE(std::mem::size_of::<c_int>() as u32) } as usize;
    let mut control = vec![0u8; space];
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    let n = loop {
        let n = unsafe { libc::recvmsg(socket, &mut msg, libc::MSG_WAITALL | libc::MSG_CMSG_CLOEXEC) };
        if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        break n;
    };
    if n != header.len() as isize {
        return None;
    }
    let fd = unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        if cmsg.is_null() || (*cmsg).cmsg_level != libc::SOL_SOCKET || (*cmsg).cmsg_type != libc::SCM_RIGHTS {
            return None;
        }
        std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<c_int>())
    };
    let n = u32::from_le_bytes(header) as usize;
    if n > MAX_MESSAGE {
        return None;
    }
    let mut message = vec![0u8; n];
    read_exact(socket, &mut message, Instant::now() + Duration::from_secs(3600)).ok()?;
    Some((message, fd))
}
