//! One module per subcommand.

mod backends;
mod bench;
mod bench_backends;
mod bench_batching;
mod bench_sandbox;
mod common;
mod compare;
mod gate;
mod gen_tests;
mod history;
mod merge;
mod models;
mod report;
mod run;
mod sandbox;
mod score;
mod tasks;
mod tasks_check;
mod tasks_import;
mod tasks_mutate;
pub mod worker;

use crate::cli::Command;
use std::process::ExitCode;

pub fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run(args) => run::main(args),
        Command::Score(args) => score::main(args),
        Command::Models { command } => models::main(command).map(|()| ExitCode::SUCCESS),
        Command::Tasks { command } => tasks::main(command),
        Command::Sandbox { command } => sandbox::main(command).map(|()| ExitCode::SUCCESS),
        Command::Bench { command } => bench::main(command).map(|()| ExitCode::SUCCESS),
        Command::Merge(args) => merge::main(args),
        Command::Report(args) => report::main(args),
        Command::Compare(args) => compare::main(args),
        Command::Gate(args) => gate::main(args),
        Command::GenTests(args) => gen_tests::main(args),
        Command::Worker { language, layers } => {
            worker::main(&language, layers.as_deref()).map(|()| ExitCode::SUCCESS).map_err(anyhow::Error::msg)
        }
    }
}
