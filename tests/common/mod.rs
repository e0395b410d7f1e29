//! Helpers shared by the end-to-end tests. Each test binary uses a part of them.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A security group that opens SSH to the world; its finding is at line 6, column 20.
pub const SSH_OPEN: &str = r#"resource "aws_security_group" "web" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

/// Runs the `portcullis` binary in `dir`.
pub fn portcullis(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A fresh directory holding `files` (paths relative to it), private to this test binary.
pub fn project<T: AsRef<[u8]>>(name: &str, files: &[(&str, T)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "portcullis-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, contents) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}
