//! A progress bar on stderr for long work: shown only when stderr is a
//! terminal, `CI` is unset, and the work has already taken a second, so
//! quick runs and logs stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Set by [`hide_all`]: no bar is ever shown.
static HIDDEN: AtomicBool = AtomicBool::new(false);

/// Hides every progress bar from now on (`--quiet`: nothing but errors on
/// stderr).
pub fn hide_all() {
    HIDDEN.store(true, Ordering::Relaxed);
}

/// Counts work done from any thread.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
    /// Set once finished; a spinner's timer thread checks it under the lock
    /// so it never shows a bar that is already done.
    finished: Arc<Mutex<bool>>,
}

impl Progress {
    /// A bar for `total` steps (0 when unknown: a counter instead).
    pub fn new(what: &str, total: u64) -> Self {
        let enabled = std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none()
            && !HIDDEN.load(Ordering::Relaxed);
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            let template = if total > 0 {
                "{msg} [{bar:40}] {pos}/{len} ({eta})"
            } else {
                "{msg} {pos} done"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(what.to_owned());
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            finished: Arc::new(Mutex::new(false)),
        }
    }

    /// A spinner for work that reports no steps (loading an estate): shown
    /// from its first second on, ticking by itself, until [`Progress::finish`].
    pub fn spinner(what: &str) -> Self {
        let progress = Progress::new(what, 0);
        if let Some(bar) = &progress.bar {
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            let bar = bar.clone();
            let finished = progress.finished.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                let done = finished.lock().map(|f| *f).unwrap_or(true);
                if !done {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        progress
    }

    /// Adds `n` steps done.
    pub fn inc(&self, n: u64) {
        let Some(bar) = &self.bar else { return };
        bar.inc(n);
        if !self.shown.load(Ordering::Relaxed) && self.started.elapsed() > Duration::from_secs(1) {
            self.shown.store(true, Ordering::Relaxed);
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        let mut finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        *finished = true;
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
