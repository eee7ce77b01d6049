//! What a batch run shows while it works: progress on stderr, and how it stops on SIGTERM / SIGINT.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use valuereport::batch::manifest::{ReportResult, Status};
use valuereport::batch::run::{signal_name, Progress};

/// After SIGTERM or SIGINT, how long the customers in progress get to finish before the process
/// exits anyway (without saving the manifest; the journal has every package written). Below
/// Kubernetes' default grace period of 30 s.
const STOP_GRACE: Duration = Duration::from_secs(20);

/// SIGTERM and SIGINT set the returned flag to the signal's number; the run then starts no new
/// customer. A second signal ends the process at once (128 + signal), and so does the end of the
/// grace period.
pub fn stop_on_signals() -> Arc<AtomicUsize> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicUsize::new(0));
    let signalled = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGINT] {
        let code = 128 + signal;
        // Registered first: runs before the flag below is set, so it fires on the second signal only.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, code, Arc::clone(&signalled));
        let _ = signal_hook::flag::register(signal, Arc::clone(&signalled));
        let _ = signal_hook::flag::register_usize(signal, Arc::clone(&stop), signal as usize);
    }
    let watched = Arc::clone(&stop);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(50));
        let signal = watched.load(Ordering::SeqCst);
        if signal != 0 {
            std::thread::sleep(STOP_GRACE);
            err!(
                "error: stopped by {}: the reports in progress did not finish within {} s; exiting without saving the manifest (every renewal package written is in the journal)",
                signal_name(signal as i32),
                STOP_GRACE.as_secs()
            );
            std::process::exit(128 + signal as i32);
        }
    });
    stop
}

/// Progress on stderr: a bar on a terminal, one plain line per customer otherwise (cron, logs).
pub struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// Serialises plain lines from worker threads.
    lines: Mutex<()>,
}

impl Reporter {
    pub fn new(quiet: bool) -> Reporter {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !quiet).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            // No colours: NO_COLOR is honoured by having none.
            let style = ProgressStyle::with_template("{bar:40} {pos}/{len} customers  {per_sec}  ETA {eta}  {msg}")
                .expect("a valid template");
            bar.set_style(style);
            bar
        });
        Reporter { bar, quiet, lines: Mutex::new(()) }
    }

    fn say(&self, line: &str) {
        let _guard = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        match &self.bar {
            Some(bar) => bar.println(super::terminal::safe(line)),
            None => err!("{line}"),
        }
    }
}

impl Progress for Reporter {
    fn start(&self, customers: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(customers);
        }
    }

    fn customer_done(&self, customer_dir: &str, results: &[ReportResult]) {
        // Notes (a renewal date that moved) are printed even with --quiet: cron logs keep them.
        for r in results {
            if let Some(note) = &r.note {
                let id = r.customer_id.as_deref().unwrap_or(customer_dir);
                self.say(&format!("note: {id}: {note}"));
            }
        }
        for r in results.iter().filter(|r| r.status == Status::Failed) {
            let error = r.error.as_deref().unwrap_or("failed");
            self.say(&format!("error: {customer_dir} ({}): {error}", r.kind));
        }
        if !self.quiet && results.iter().all(|r| r.status != Status::Failed) {
            let count = |s: Status| results.iter().filter(|r| r.status == s).count();
            let id = results.iter().find_map(|r| r.customer_id.clone()).unwrap_or_else(|| customer_dir.to_string());
            self.say(&format!(
                "ok {id}: {} written, {} unchanged, {} skipped",
                count(Status::Written),
                count(Status::Unchanged),
                count(Status::Skipped)
            ));
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

