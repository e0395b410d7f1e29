//! Module sources for download tests: an HTTP/1.1 server on 127.0.0.1 (registry and archive
//! routes, every request logged) and tar.gz archives. Shared by portcullis-fetch's tests, the
//! root package's pipeline tests and the language server's; nothing here reaches another host.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status: 200,
        headers: Vec::new(),
        body: body.into(),
    }
}

pub fn terraform_get(location: &str) -> Reply {
    Reply {
        status: 204,
        headers: vec![("X-Terraform-Get".to_owned(), location.to_owned())],
        body: Vec::new(),
    }
}

/// `(path and query, Authorization header)` of every request, in order.
pub type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

pub struct Server {
    pub host: String,
    pub log: Log,
    /// When set, every request is answered 503.
    pub down: Arc<AtomicBool>,
}

impl Server {
    pub fn start(routes: Vec<(&str, Reply)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let routes: HashMap<String, Reply> = routes
            .into_iter()
            .map(|(path, reply)| (path.to_owned(), reply))
            .collect();
        let log = Arc::new(Mutex::new(Vec::new()));
        let server_log = Arc::clone(&log);
        let down = Arc::new(AtomicBool::new(false));
        let server_down = Arc::clone(&down);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let routes = routes.clone();
                let log = Arc::clone(&server_log);
                let down = Arc::clone(&server_down);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut first = String::new();
                    if reader.read_line(&mut first).is_err() {
                        return;
                    }
                    let path = first.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let mut authorization = None;
                    let mut length = 0usize;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':') {
                            if name.eq_ignore_ascii_case("authorization") {
                                authorization = Some(value.trim().to_owned());
                            }
                            if name.eq_ignore_ascii_case("content-length") {
                                length = value.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    log.lock().unwrap().push((path.clone(), authorization));
                    let unavailable = Reply {
                        status: 503,
                        headers: Vec::new(),
                        body: Vec::new(),
                    };
                    let reply = if down.load(Ordering::Relaxed) {
                        Some(unavailable)
                    } else {
                        routes.get(&path).cloned()
                    };
                    let reply = reply.unwrap_or(Reply {
                        status: 404,
                        headers: Vec::new(),
                        body: b"not found".to_vec(),
                    });
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        reply.status,
                        reply.body.len()
                    );
                    for (name, value) in &reply.headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&reply.body);
                });
            }
        });
        Server { host, log, down }
    }

    pub fn requests(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|(path, _)| path.clone())
            .collect()
    }

    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.host)
    }
}

/// A gzip-compressed tar of `(path, contents)`; names are written raw, unchecked.
pub fn tar_gz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        let bytes = name.as_bytes();
        header.as_gnu_mut().unwrap().name[..bytes.len()].copy_from_slice(bytes);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}
