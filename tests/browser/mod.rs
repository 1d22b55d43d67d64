//! A real browser for end-to-end tests: Debian's headless `chromium` driven over WebDriver by
//! `chromedriver` (started here on a free port) and fantoccini.
//!
//! [`Browser::start`] first spawns chromedriver and puts it under a [`Guard`] at once, so that
//! whatever happens after (a session that cannot start, a failed assert, a panic, a timeout
//! that drops the test's future) the guard's `Drop` ends the WebDriver session, then kills
//! chromedriver and every chromium process it started, by pid: the processes descending from
//! chromedriver, and those whose command line names this browser's own profile folder (the
//! crash handler and zygote that leave the tree). No test leaves a browser running.

#![allow(dead_code)]

use std::future::Future;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Where Debian installs the browser and its driver, and the packages that bring them.
const CHROMIUM: (&str, &str) = ("/usr/bin/chromium", "chromium");
const CHROMEDRIVER: (&str, &str) = ("/usr/bin/chromedriver", "chromium-driver");

/// How long one explicit wait lasts unless told otherwise.
pub const WAIT: Duration = Duration::from_secs(30);

/// A headless chromium with its WebDriver session, and the guard that ends both.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    /// Where chromium puts what it downloads.
    pub downloads: PathBuf,
    guard: Guard,
}

/// Ends the session and kills chromedriver and its chromium processes when dropped.
pub struct Guard {
    driver: Child,
    port: u16,
    session: Option<String>,
    /// The profile, downloads and logs of this browser; removed after the processes are gone.
    scratch: Option<tempfile::TempDir>,
    profile: String,
}

impl Browser {
    /// Starts chromedriver on a free port and a fresh headless chromium through it, writing
    /// chromedriver's log to `log`.
    pub async fn start(log: &Path) -> Browser {
        let chromium = installed(CHROMIUM);
        let chromedriver = installed(CHROMEDRIVER);
        let scratch = tempfile::Builder::new()
            .prefix("shenbao-browser-")
            .tempdir()
            .unwrap();
        let profile = scratch.path().join("profile");
        let downloads = scratch.path().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        // Chromium's double-forked helpers (the crash handler) are handed to this process when
        // their parent exits, so that the guard can find, kill and reap them.
        // SAFETY: prctl(2) with constant arguments.
        unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) };
        let port = free_port();
        let mut command = Command::new(chromedriver);
        command
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, and killed with the test's thread if that dies first.
            .process_group(0);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let driver = command.spawn().unwrap_or_else(|e| {
            panic!("cannot start {chromedriver} ({e}); install the Debian package chromium-driver")
        });
        let mut guard = Guard {
            driver,
            port,
            session: None,
            profile: profile.display().to_string(),
            scratch: Some(scratch),
        };
        guard.wait_until_listening();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--window-size=1280,1600",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start {chromium} ({e}); see {}",
                    log.display()
                )
            });
        guard.session = client.session_id().await.unwrap();
        Browser {
            client,
            downloads,
            guard,
        }
    }

    /// The pids of the chromium processes this browser runs now.
    pub fn chromium_pids(&self) -> Vec<i32> {
        self.guard.chromium_pids()
    }

    /// Closes the session cleanly; the guard then makes sure that nothing is left running.
    pub async fn close(mut self) {
        let client = self.client.clone();
        if tokio::time::timeout(WAIT, client.close()).await.is_ok() {
            self.guard.session = None;
        }
    }

    /// Opens `url` and waits until the page has loaded.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.wait_loaded().await;
    }

    /// The first element matching the CSS selector `css`, waited for.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                panic!("no element {css} within {WAIT:?} on {url:?} ({e})")
            }
        }
    }

    /// Runs `script` (a function body; `arguments[0…]` are `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed ({e}): {script}"))
    }

    /// The visible text of the first element matching `css`, if there is one.
    pub async fn text(&self, css: &str) -> Option<String> {
        let script =
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;";
        match self.client.execute(script, vec![json!(css)]).await {
            Ok(Value::String(text)) => Some(text),
            _ => None,
        }
    }

    /// Clicks `css` and waits until the browser shows the next page (the one the form posted
    /// to redirected to), fully loaded.
    pub async fn click_to_next_page(&self, css: &str) {
        let button = self.find(css).await;
        self.js("window.__shenbao_old_page = true;", vec![]).await;
        button
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css} ({e})"));
        let script =
            "return window.__shenbao_old_page === undefined && document.readyState === 'complete';";
        wait_for(&format!("the page after clicking {css}"), WAIT, || async {
            matches!(
                self.client.execute(script, vec![]).await,
                Ok(Value::Bool(true))
            )
            .then_some(())
        })
        .await;
    }

    /// Waits until the current page has loaded.
    pub async fn wait_loaded(&self) {
        wait_for("the page to load", WAIT, || async {
            let state = self
                .client
                .execute("return document.readyState;", vec![])
                .await;
            matches!(state, Ok(Value::String(s)) if s == "complete").then_some(())
        })
        .await;
    }

    /// Scrolls the element `css` to the top of the window.
    pub async fn scroll_to(&self, css: &str) {
        self.scroll(css, "start").await;
    }

    /// Scrolls the element `css` to the middle of the window.
    pub async fn scroll_to_middle(&self, css: &str) {
        self.scroll(css, "center").await;
    }

    async fn scroll(&self, css: &str, block: &str) {
        let script = "document.querySelector(arguments[0]).scrollIntoView({block: arguments[1]});";
        self.find(css).await;
        self.js(script, vec![json!(css), json!(block)]).await;
    }

    /// Saves a screenshot of the window as `dir/name` (PNG).
    pub async fn screenshot(&self, dir: &Path, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        assert!(
            png.starts_with(b"\x89PNG"),
            "screenshot {name} is not a PNG"
        );
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Guard {
    /// Waits until chromedriver answers on its port (or has exited).
    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!("chromedriver exited at once ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {} within {WAIT:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The live chromium processes of this browser: chromedriver's descendants, orphans of
    /// chromium handed to this process (a subreaper) and theirs, and any process whose command
    /// line names this browser's profile folder.
    fn chromium_pids(&self) -> Vec<i32> {
        let processes = processes();
        let me = std::process::id() as i32;
        let driver = self.driver.id() as i32;
        let mut found: Vec<i32> = processes
            .iter()
            .filter(|p| p.parent == me && p.name.starts_with("chrom") && p.pid != driver)
            .map(|p| p.pid)
            .collect();
        found.insert(0, driver);
        let mut i = 0;
        while i < found.len() {
            let parent = found[i];
            let children: Vec<i32> = processes
                .iter()
                .filter(|p| p.parent == parent && !found.contains(&p.pid))
                .map(|p| p.pid)
                .collect();
            found.extend(children);
            i += 1;
        }
        let named: Vec<i32> = processes
            .iter()
            .filter(|p| p.command.contains(&self.profile) && !found.contains(&p.pid))
            .map(|p| p.pid)
            .collect();
        found.extend(named);
        let live = |pid: &i32| processes.iter().any(|p| p.pid == *pid && !p.zombie);
        found
            .into_iter()
            .filter(|pid| *pid != driver)
            .filter(live)
            .collect()
    }

    /// Sends SIGKILL to every chromium process of this browser.
    fn kill_chromium(&self) {
        for pid in self.chromium_pids() {
            // SAFETY: kill(2) with a pid found just now; at worst it is already gone.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }

    /// Reaps the chromium orphans that died as children of this process; whether any chromium
    /// process of this browser is still there (alive or not yet reaped).
    fn reap_orphans(&self) -> bool {
        let me = std::process::id() as i32;
        let mut waiting = !self.chromium_pids().is_empty();
        for orphan in processes()
            .iter()
            .filter(|p| p.parent == me && p.name.starts_with("chrom"))
        {
            if orphan.zombie {
                // SAFETY: waitpid(2) on a dead child of this process.
                unsafe { libc::waitpid(orphan.pid, std::ptr::null_mut(), libc::WNOHANG) };
            }
            waiting = true;
        }
        waiting
    }

    /// Asks chromedriver to end the session (it then quits chromium), with a plain HTTP request:
    /// this runs in `Drop`, perhaps while a panic unwinds through the async runtime.
    fn delete_session(&self, session: &str) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return;
        }
        // Read the whole answer (chromedriver keeps the connection open after it).
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = stream.read(&mut chunk) {
            answer.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&answer);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if answer.len() >= end + 4 + length {
                    break;
                }
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            self.delete_session(&session);
        }
        // Give chromium a moment to quit on its own, then kill what is left, and chromedriver.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.chromium_pids().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill_chromium();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Orphans that outlived the driver, now children of this process (the subreaper).
        self.kill_chromium();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.reap_orphans() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let left = self.chromium_pids();
        if !left.is_empty() {
            eprintln!("warning: chromium processes still running after the kill: {left:?}");
        }
        drop(self.scratch.take());
    }
}

/// `path` if it is installed, else a panic saying which Debian package brings it.
fn installed((path, package): (&'static str, &str)) -> &'static str {
    assert!(
        Path::new(path).is_file(),
        "{path} is missing: this end-to-end test needs Debian's chromium and chromium-driver \
         (apt-get install chromium chromium-driver; .ci/run installs them). Install the package {package}."
    );
    path
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running process, from `/proc`.
struct Process {
    pid: i32,
    parent: i32,
    name: String,
    zombie: bool,
    command: String,
}

fn processes() -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // pid (comm) state ppid …; the command name may itself hold spaces and parentheses.
            let close = stat.rfind(')')?;
            let name = stat[stat.find('(')? + 1..close].to_string();
            let mut rest = stat[close + 1..].split_whitespace();
            let state = rest.next()?;
            let parent = rest.next()?.parse().ok()?;
            let command = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            Some(Process {
                pid,
                parent,
                name,
                zombie: state == "Z" || state == "X",
                command: String::from_utf8_lossy(&command).replace('\0', " "),
            })
        })
        .collect()
}

/// Polls `probe` every 100 ms until it gives a value, for at most `timeout`; panics saying
/// what it waited for when the time is up.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
