//! One module per subcommand.

mod common;
mod gen_tests;
mod models;
mod run;
mod score;
mod tasks;
mod tasks_check;
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
        Command::GenTests(args) => gen_tests::main(args),
        Command::Worker { language, layers } => {
            worker::main(&language, layers.as_deref()).map(|()| ExitCode::SUCCESS).map_err(anyhow::Error::msg)
        }
    }
}
