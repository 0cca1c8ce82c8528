fn main() -> std::process::ExitCode {
    noxitel_cli::main()
}
