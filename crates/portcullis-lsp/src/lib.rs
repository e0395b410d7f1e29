//! The portcullis language server: diagnostics while typing, quick fixes and hover, for
//! Terraform and CloudFormation, over the Language Server Protocol on stdio.

mod actions;
mod analysis;
mod config;
mod convert;
mod hover;
mod server;
mod uri;

use std::io::Write;

/// Serves the Language Server Protocol over stdin/stdout until `exit`. Returns the process exit
/// code (0 after shutdown+exit, 1 if exit came without shutdown).
pub fn run_stdio() -> i32 {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let code = server::run(connection);
    match io_threads.join() {
        Ok(()) => code,
        Err(error) => {
            // stdout carries the protocol; a broken stream can only be reported on stderr.
            let _ = writeln!(std::io::stderr(), "portcullis lsp: {error}");
            1
        }
    }
}
