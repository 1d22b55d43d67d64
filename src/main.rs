//! The `shenbao` command.

fn main() -> std::process::ExitCode {
    shenbao::cli::main()
}
