//! The applicant boundary: a panic in a dependency (a Typst, PDF or image library) while one
//! applicant is being loaded, rendered or assembled is caught there and becomes that applicant's
//! error, so the others go on. Outside a batch, a panic is reported in Chinese.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many guarded sections are running; their panics are reported by [`guarded`], not printed.
static GUARDED: AtomicUsize = AtomicUsize::new(0);

/// Runs `work`; a panic in it comes back as its message.
pub fn guarded<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "未知错误".to_string())
    });
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    result
}

/// Makes panics print a Chinese message, and none while a guarded section runs (it reports the
/// panic as an applicant's error itself).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if GUARDED.load(Ordering::SeqCst) > 0 {
            return;
        }
        let place = info
            .location()
            .map(|l| format!("（{}:{}）", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "错误：shenbao 内部出错：{message}{place}\n  = 修改建议：这是程序的问题，请连同所用的申报材料一并报告给 shenbao 的维护者"
        );
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(guarded(|| 7), Ok(7));
        assert_eq!(
            guarded(|| -> u8 { panic!("坏了") }),
            Err("坏了".to_string())
        );
        let detail = 3;
        assert_eq!(
            guarded(|| -> u8 { panic!("第 {detail} 页") }),
            Err("第 3 页".to_string())
        );
        // Other tests may be inside a guarded call right now; a count that leaked stays up.
        let settled = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(5));
            GUARDED.load(Ordering::SeqCst) == 0
        });
        assert!(settled, "the count of guarded calls went back to 0");
    }
}
