fn main() {
    std::process::exit(portcullis_lsp::run_stdio())
}
