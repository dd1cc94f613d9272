//! Non-fatal problems: a file rejected, a row skipped. They are printed as
//! they happen and remembered so the run can finish with exit status 1
//! instead of stopping at the first one (ripgrep's `messages.rs`).

use std::sync::atomic::{AtomicBool, Ordering};

static ERRORED: AtomicBool = AtomicBool::new(false);

/// Prints one line on stderr and remembers that something was rejected.
/// Control and bidi characters from the input are shown as escapes.
pub fn err_message(line: impl std::fmt::Display) {
    ERRORED.store(true, Ordering::SeqCst);
    eprintln!("listpulse: {}", crate::term::visible(&line.to_string()));
}

/// Prints one warning line on stderr without changing the exit status.
pub fn warn_message(line: impl std::fmt::Display) {
    eprintln!(
        "listpulse: warning: {}",
        crate::term::visible(&line.to_string())
    );
}

/// Whether any non-fatal error was reported in this process.
pub fn errored() -> bool {
    ERRORED.load(Ordering::SeqCst)
}
