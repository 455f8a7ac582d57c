//! What the kernel says about a server process: CPU time and resident memory, from `/proc`.

use std::fs;
use std::io;
use std::process::Command;

/// CPU time (user + system, all threads) of process `pid`, in microseconds.
pub(crate) fn cpu_micros(pid: u32, ticks_per_second: u64) -> io::Result<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name, in parentheses, may hold spaces: count fields after its end. The first
    // field there is the state (field 3); utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').ok_or_else(|| bad("no `)` in stat"))?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let mut next = || -> io::Result<u64> {
        fields.next().and_then(|f| f.parse().ok()).ok_or_else(|| bad("short stat"))
    };
    let ticks = next()? + next()?;
    Ok(ticks * 1_000_000 / ticks_per_second)
}

/// The resident set size of process `pid`, in bytes.
pub(crate) fn rss_bytes(pid: u32) -> io::Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or_else(|| bad("no VmRSS"))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad("bad VmRSS"))?;
    Ok(kib * 1024)
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`), the unit of `utime` and `stime`;
/// 100 when `getconf` cannot say (the value on every Linux port but a few old ones).
pub(crate) fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}
