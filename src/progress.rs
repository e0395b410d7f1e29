//! A count of the files read and the remote modules fetched, on a terminal, for long scans.

use std::io::Write;
use std::sync::Arc;

use portcullis_engine::ScanOptions;

/// A one-line count of files read on a terminal's standard error, shown only when the scan takes
/// more than a second, and erased when it ends.
pub struct Progress {
    done: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub fn start(options: &mut ScanOptions) -> Self {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let counter = Arc::new(AtomicUsize::new(0));
        options.progress = Some(Arc::clone(&counter));
        let modules = Arc::new(AtomicUsize::new(0));
        if options.downloads.is_some() {
            options.modules_progress = Some(Arc::clone(&modules));
        }
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut shown = false;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if started.elapsed() >= std::time::Duration::from_secs(1) {
                    let fetched = match modules.load(Ordering::Relaxed) {
                        0 => String::new(),
                        count => format!(", {count} remote modules fetched"),
                    };
                    let _ = write!(
                        std::io::stderr(),
                        "\rportcullis: {} files read{fetched}",
                        counter.load(Ordering::Relaxed)
                    );
                    shown = true;
                }
            }
            if shown {
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        });
        Self {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
