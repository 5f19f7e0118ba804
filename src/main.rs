//! The `contentq` binary: parse arguments, run, turn errors into exit codes.

use clap::Parser;

fn main() {
    let cli = contentq::cli::Cli::parse();
    let code = match contentq::cli::run(cli) {
        Ok(code) => code,
        // `contentq label big.csv | head` closes the pipe early: that is success.
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            eprintln!("contentq: error: {e}");
            2
        }
    };
    std::process::exit(code);
}
