//! Panics raised inside calamine, let through to the catch that contains them.
//!
//! calamine's readers, its .xls one above all, panic on some malformed workbooks (a length or an
//! offset taken on trust); `load::sheet` catches such a panic and reports the workbook as damaged,
//! with a location. libfuzzer-sys's panic hook aborts on every panic, caught or not, so the hook
//! set here passes a panic raised in calamine's source on without aborting (noting each place once
//! on stderr) and hands every other panic to libfuzzer-sys's hook as before. A calamine panic
//! that shenbao does not catch still ends the run: it unwinds into libfuzzer-sys's own
//! `catch_unwind`, which aborts.

use std::collections::BTreeSet;
use std::sync::{Mutex, Once};

/// Installs the hook, once per process.
pub fn contain_calamine_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        let seen = Mutex::new(BTreeSet::new());
        std::panic::set_hook(Box::new(move |info| match info.location() {
            Some(place) if place.file().contains("/calamine-") => {
                let place = place.to_string();
                if seen.lock().is_ok_and(|mut seen| seen.insert(place.clone())) {
                    let payload = info.payload();
                    let message = payload
                        .downcast_ref::<&str>()
                        .copied()
                        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                        .unwrap_or("");
                    eprintln!("calamine panicked at {place} (contained by shenbao): {message}");
                }
            }
            _ => fuzzer_hook(info),
        }));
    });
}
