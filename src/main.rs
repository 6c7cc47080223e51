//! The `rulegate` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    rulegate::cli::main()
}
