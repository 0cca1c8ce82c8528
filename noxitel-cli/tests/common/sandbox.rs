//! A sandbox started by `noxitel sandbox`, and `noxitel` commands run against it.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

use super::output::read_until;

/// A running `noxitel sandbox`, killed on drop.
pub struct Sandbox {
    child: Child,
    /// Its API base URL, from the banner.
    pub base_url: String,
    token: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    /// `noxitel sandbox --port 0 --accept-token TOKEN EXTRA…`; its stderr is read for the
    /// server's lifetime, as a terminal would.
    pub fn start(token: &str, extra: &[&str]) -> Self {
        let mut command = Command::new(cargo_bin("noxitel"));
        command
            .args(["sandbox", "--port", "0", "--accept-token", token])
            .args(extra);
        let (sandbox, _, stderr) = Self::spawn(command, token);
        std::thread::spawn(move || stderr.lines().for_each(drop));
        sandbox
    }

    /// Spawns `command` (a `noxitel … sandbox …`) and reads its banner: the sandbox, the
    /// banner's text, and the rest of its stderr.
    pub fn spawn(mut command: Command, token: &str) -> (Self, String, BufReader<ChildStderr>) {
        let mut child = command
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let ((), banner) = read_until(&mut child, &mut stderr, |line| {
            line.starts_with("control surface:").then_some(())
        });
        let base_url = banner
            .lines()
            .find_map(|line| line.trim().strip_prefix("export NOXITEL_BASE_URL="))
            .map(str::to_owned);
        let sandbox = Self {
            child,
            base_url: base_url.unwrap_or_else(|| panic!("no URL in the banner:\n{banner}")),
            token: token.to_owned(),
        };
        (sandbox, banner, stderr)
    }

    /// `noxitel ARGS…` with this sandbox's token and base URL in the environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(cargo_bin("noxitel"));
        command
            .env("NOXITEL_API_TOKEN", &self.token)
            .env("NOXITEL_BASE_URL", &self.base_url)
            .args(args);
        command
    }

    /// Runs `noxitel -o json ARGS…`: the exit code, stdout as JSON (one value, or an array of
    /// one value per line) and stderr.
    pub fn json(&self, args: &[&str]) -> (i32, Value, String) {
        let out = self
            .command(&[&["-o", "json"], args].concat())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let json = serde_json::from_str(&text).unwrap_or_else(|_| {
            Value::Array(
                text.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
            )
        });
        (
            out.status.code().unwrap_or(-1),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}
