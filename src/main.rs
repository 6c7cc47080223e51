//! The `rulegate` binary: everything lives in the library.

// The allocator is the binary's choice (the library leaves it to its users):
// see Cargo.toml and docs/performance.md.
#[cfg(all(not(target_env = "msvc"), not(target_os = "openbsd")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    rulegate::cli::main()
}
