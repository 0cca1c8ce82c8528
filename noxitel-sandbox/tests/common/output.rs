//! What a spawned program prints before it serves, read up to the line that says where it
//! listens. The sandbox's tests and the CLI's (which include this file by its path) start
//! their binaries this one way.

use std::io::BufRead;
use std::process::Child;

/// Reads `output` line by line until `pick` finds what it looks for in a line (given trimmed);
/// returns that and the text read so far, that line included. If the output ends first, kills
/// `child` and panics with the text read.
pub fn read_until<T>(
    child: &mut Child,
    output: &mut impl BufRead,
    mut pick: impl FnMut(&str) -> Option<T>,
) -> (T, String) {
    let mut text = String::new();
    let mut line = String::new();
    while output.read_line(&mut line).unwrap_or(0) > 0 {
        text.push_str(&line);
        if let Some(found) = pick(line.trim()) {
            return (found, text);
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the output ended before the line looked for:\n{text}");
}

/// The rest of a `base URL : …` line, the sandbox banner's line naming the API's base URL.
pub fn base_url(line: &str) -> Option<String> {
    line.strip_prefix("base URL :")
        .map(|url| url.trim().to_owned())
}
