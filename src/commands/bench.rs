//! `evalrun bench ...`: measurements side by side with a peer, in one run on this machine.

use crate::cli::BenchCommand;
use anyhow::Result;

pub fn main(command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Sandbox(args) => super::bench_sandbox::main(&args),
        BenchCommand::Backends(args) => super::bench_backends::main(args),
        BenchCommand::Batching(args) => super::bench_batching::main(args),
    }
}
