use clap::Parser;

/// wsf — the World Solidarity Forum node.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {}

fn main() {
    let _ = Cli::parse();
}
