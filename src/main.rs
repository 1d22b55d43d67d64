//! The `shenbao` command. The work runs on a thread with a large stack, because Typst recurses
//! deeply and the main thread of a Windows program has only 1 MiB; on Windows the console is
//! switched to UTF-8 for the run, so Chinese messages show correctly.

use std::process::ExitCode;

/// The stack of the thread that runs the command (Linux gives its main thread 8 MiB).
const STACK_SIZE: usize = 16 * 1024 * 1024;

fn main() -> ExitCode {
    let _console = console::Utf8::enable();
    let worker = std::thread::Builder::new()
        .name("shenbao".into())
        .stack_size(STACK_SIZE)
        .spawn(shenbao::cli::main);
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(error) => {
            eprintln!("无法启动工作线程：{error}");
            ExitCode::from(2)
        }
    }
}

#[cfg(windows)]
mod console {
    //! The console's output code page, set to UTF-8 (65001) while the program runs.

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GetConsoleOutputCP() -> u32;
        fn SetConsoleOutputCP(code_page: u32) -> i32;
    }

    /// Restores the console's previous output code page when dropped.
    pub struct Utf8(u32);

    impl Utf8 {
        /// Switches the console to UTF-8 output.
        pub fn enable() -> Self {
            // SAFETY: both functions take and return plain integers; without a console they fail
            // harmlessly (GetConsoleOutputCP returns 0).
            let previous = unsafe { GetConsoleOutputCP() };
            unsafe { SetConsoleOutputCP(65001) };
            Self(previous)
        }
    }

    impl Drop for Utf8 {
        fn drop(&mut self) {
            if self.0 != 0 {
                // SAFETY: as above.
                unsafe { SetConsoleOutputCP(self.0) };
            }
        }
    }
}

#[cfg(not(windows))]
mod console {
    //! Other systems' terminals take UTF-8 already.

    /// Nothing to set or restore.
    pub struct Utf8;

    impl Utf8 {
        /// Does nothing.
        pub fn enable() -> Self {
            Self
        }
    }
}
