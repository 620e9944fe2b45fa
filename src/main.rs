//! `evalrun`: benchmark code-writing language models on real tasks.

mod cli;
mod commands;
mod gentests_progress;
mod progress;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The sandbox worker speaks a protocol on stdout: keep it free of anything else.
    if let cli::Command::Worker { language, layers } = &cli.command {
        return match commands::worker::main(language, layers.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("evalrun worker: {e}");
                ExitCode::from(2)
            }
        };
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EVALRUN_LOG")
                .unwrap_or_else(|_| "warn,llama-cpp-2=error".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for a terminal: a log piped to a file stays plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match commands::dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            // The chain of causes, less those a message before already ends with (errors that
            // name a file and give its I/O error would otherwise say the I/O error twice).
            let mut message = e.to_string();
            for cause in e.chain().skip(1).map(|c| c.to_string()) {
                if !message.ends_with(&cause) {
                    message = format!("{message}: {cause}");
                }
            }
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
