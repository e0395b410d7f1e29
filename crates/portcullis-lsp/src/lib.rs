//! The portcullis language server: diagnostics while typing, quick fixes and hover, for
//! Terraform and CloudFormation, over the Language Server Protocol on stdio.

mod actions;
mod analysis;
mod config;
mod convert;
mod documents;
mod hover;
mod publish;
mod scheduler;
mod server;
mod uri;

use std::io::{self, Write};

use crossbeam_channel::{Sender, unbounded};
use lsp_server::{Connection, Message};

/// Serves the Language Server Protocol over stdin/stdout until `exit`. Returns the process exit
/// code (0 after shutdown+exit, 1 if exit came without shutdown).
pub fn run_stdio() -> i32 {
    let (sender, outgoing) = unbounded::<Message>();
    let (incoming, receiver) = unbounded::<Message>();
    let writer = std::thread::Builder::new()
        .name("portcullis-lsp-writer".to_owned())
        .spawn(move || {
            let mut stdout = io::stdout().lock();
            for message in outgoing {
                if message.write(&mut stdout).is_err() {
                    break;
                }
            }
        });
    // Not joined: after `exit` it may wait on stdin forever; the process ends without it.
    let reader = std::thread::Builder::new()
        .name("portcullis-lsp-reader".to_owned())
        .spawn(move || read_messages(&incoming));
    let (Ok(writer), Ok(_)) = (writer, reader) else {
        return 1;
    };
    let code = server::run(Connection { sender, receiver });
    // Everything the server sent is written before the process exits.
    let _ = writer.join();
    code
}

/// Forwards client messages until `exit` or the end of stdin. lsp-server's own stdio transport
/// stops at the first malformed message; this one skips it, since `Message::read` has consumed
/// it whole (or its bad header line) and the stream goes on with the next message.
fn read_messages(incoming: &Sender<Message>) {
    let mut stdin = io::stdin().lock();
    loop {
        match Message::read(&mut stdin) {
            Ok(Some(message)) => {
                let exit = matches!(&message, Message::Notification(notification) if notification.method == "exit");
                if incoming.send(message).is_err() || exit {
                    return;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::InvalidData => {
                // stdout carries the protocol: the only place left to say it is stderr.
                let _ = writeln!(
                    io::stderr(),
                    "portcullis lsp: skipped a malformed message: {error}"
                );
            }
            Ok(None) | Err(_) => return,
        }
    }
}
