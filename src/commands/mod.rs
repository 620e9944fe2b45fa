//! One module per subcommand.

mod bench;
mod common;
mod models;
mod run;
mod score;
mod tasks;
pub mod worker;

use crate::cli::Command;
use std::process::ExitCode;

pub fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run(args) => run::main(args),
        Command::Score(args) => score::main(args),
        Command::Models { command } => models::main(command).map(|()| ExitCode::SUCCESS),
        Command::Bench { command: crate::cli::BenchCommand::Backends(args) } => {
            bench::main(args).map(|()| ExitCode::SUCCESS)
        }
        Command::Tasks { command } => tasks::main(command).map(|()| ExitCode::SUCCESS),
        Command::Worker { language } => {
            worker::main(&language).map(|()| ExitCode::SUCCESS).map_err(anyhow::Error::msg)
        }
    }
}
