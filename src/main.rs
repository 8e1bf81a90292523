fn main() -> std::process::ExitCode {
    cachescope::cli::main()
}
