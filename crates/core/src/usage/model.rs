//! Usage statistics' rules (no I/O): who is a robot, what one counted use is, the
//! double-click window, the day a use is counted on, and the keyed hash that stands for a
//! client for the length of the window (never the address itself).

use crate::ids::{FileId, ItemId};
use crate::text::BANGKOK;
use regex::RegexSet;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use time::{Duration, OffsetDateTime};

/// COUNTER's double-click rule: the same use by the same client within this time counts once.
/// The window slides: each repeat within it starts it again.
pub const DOUBLE_CLICK_WINDOW: Duration = Duration::seconds(30);

/// The robots list (user-agent patterns, COUNTER's list and more), a data file in the repository.
pub const ROBOTS_LIST: &str = include_str!("robots.txt");

static ROBOTS: LazyLock<RegexSet> = LazyLock::new(|| {
    let patterns: Vec<String> = robot_patterns().map(|p| format!("(?i){p}")).collect();
    // The list is part of the source and tested; a bad line is a bug caught by the tests.
    RegexSet::new(&patterns).unwrap_or_else(|e| panic!("robots.txt: {e}"))
});

/// The patterns of [`ROBOTS_LIST`]: its non-blank lines not starting with `#`.
pub fn robot_patterns() -> impl Iterator<Item = &'static str> {
    ROBOTS_LIST
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A robot, not a reader: an empty or missing user agent, or one matching the robots list.
pub fn is_robot(user_agent: Option<&str>) -> bool {
    match user_agent.map(str::trim) {
        None | Some("") => true,
        Some(ua) => ROBOTS.is_match(ua),
    }
}

/// What was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hit {
    /// An item's page (`/items/{id}`) was opened.
    View(ItemId),
    /// One of an item's files was downloaded (whole, or from its first byte).
    Download(FileId),
}

impl Hit {
    /// What the double-click window is kept for (with the client).
    pub fn key(&self) -> String {
        match self {
            Hit::View(i) => format!("view:{i}"),
            Hit::Download(f) => format!("download:{f}"),
        }
    }
}

/// Who asked, as the web layer saw it. Lives only for the request: the store gets
/// [`Client::fingerprint`], a keyed hash, never these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// The client's address (behind a local reverse proxy, the one it forwarded).
    pub address: String,
    pub user_agent: Option<String>,
    /// The session cookie, when signed in: two people behind one address are two clients.
    pub session: Option<String>,
}

impl Client {
    /// SHA-256 over a secret kept in the database and the client's address, user agent,
    /// session and `hit`: the same for every process on the database, useless without the
    /// secret (an IPv4 address cannot be guessed back from it), and kept only for the window.
    pub fn fingerprint(&self, secret: &str, hit: &Hit) -> String {
        let mut h = Sha256::new();
        for part in [
            secret,
            &self.address,
            self.user_agent.as_deref().unwrap_or(""),
            self.session.as_deref().unwrap_or(""),
            &hit.key(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A download counts when it starts at the first byte: a request without `Range`, or one
/// whose range starts at 0. A video player's later chunks (and resumed downloads) do not.
pub fn counts_as_download(range_start: Option<u64>) -> bool {
    range_start.is_none_or(|s| s == 0)
}

/// The day a use is counted on, Bangkok time, as `yyyymmdd` (20261204).
pub fn day_key(t: OffsetDateTime) -> i64 {
    let d = t.to_offset(BANGKOK).date();
    i64::from(d.year()) * 10_000 + i64::from(d.month() as u8) * 100 + i64::from(d.day())
}

/// The days of fiscal year `fy_be` (BE) as `[from, to)` day keys: 1 Oct to 1 Oct.
pub fn fiscal_days(fy_be: i32) -> (i64, i64) {
    let end = i64::from(fy_be - 543);
    ((end - 1) * 10_000 + 1001, end * 10_000 + 1001)
}

/// The month of its fiscal year a `yyyymm` month falls in: 0 = ต.ค. … 11 = ก.ย.
pub fn fiscal_month_of(yyyymm: i64) -> usize {
    let m = (yyyymm % 100).clamp(1, 12) as usize;
    (m + 2) % 12
}

/// Views and downloads per fiscal month (index by [`fiscal_month_of`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonthlyUse {
    pub views: [u64; 12],
    pub downloads: [u64; 12],
}

impl MonthlyUse {
    pub fn add(&mut self, month: usize, views: u64, downloads: u64) {
        self.views[month] += views;
        self.downloads[month] += downloads;
    }

    pub fn total_views(&self) -> u64 {
        self.views.iter().sum()
    }

    pub fn total_downloads(&self) -> u64 {
        self.downloads.iter().sum()
    }
}

/// An item's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UseCount {
    pub views: u64,
    pub downloads: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn browsers_are_readers_and_robots_are_not() {
        for reader in [
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.20.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 [FBAN/EMA;FBLC/th_TH;FBAV/380.0.0.14.108;]",
        ] {
            assert!(!is_robot(Some(reader)), "{reader}");
        }
        for robot in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "curl/8.5.0",
            "Wget/1.21.4",
            "python-requests/2.31.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
            "GPTBot/1.0",
            "x",
        ] {
            assert!(is_robot(Some(robot)), "{robot}");
        }
        assert!(is_robot(None));
        assert!(is_robot(Some("  ")));
    }

    #[test]
    fn every_line_of_the_list_compiles() {
        assert!(robot_patterns().count() > 100);
        for p in robot_patterns() {
            assert!(regex::Regex::new(&format!("(?i){p}")).is_ok(), "{p}");
        }
    }

    #[test]
    fn only_downloads_from_the_first_byte_count() {
        assert!(counts_as_download(None));
        assert!(counts_as_download(Some(0)));
        assert!(!counts_as_download(Some(1_048_576)));
    }

    #[test]
    fn a_fingerprint_hides_the_address_and_tells_clients_apart() {
        let a = Client {
            address: "203.0.113.7".into(),
            user_agent: Some("Firefox".into()),
            session: None,
        };
        let b = Client {
            address: "203.0.113.8".into(),
            ..a.clone()
        };
        let hit = Hit::View(ItemId(5));
        let fa = a.fingerprint("secret", &hit);
        assert_eq!(fa.len(), 64);
        assert!(!fa.contains("203.0.113.7"));
        assert_eq!(fa, a.fingerprint("secret", &hit));
        assert_ne!(fa, b.fingerprint("secret", &hit));
        assert_ne!(fa, a.fingerprint("other secret", &hit));
        assert_ne!(fa, a.fingerprint("secret", &Hit::View(ItemId(6))));
        assert_ne!(fa, a.fingerprint("secret", &Hit::Download(FileId(5))));
    }

    #[test]
    fn days_and_fiscal_months_are_bangkok_time() {
        assert_eq!(day_key(datetime!(2026-12-04 16:59 UTC)), 20261204);
        assert_eq!(day_key(datetime!(2026-12-04 17:00 UTC)), 20261205);
        assert_eq!(fiscal_days(2570), (20261001, 20271001));
        assert_eq!(fiscal_month_of(202610), 0);
        assert_eq!(fiscal_month_of(202701), 3);
        assert_eq!(fiscal_month_of(202709), 11);
    }
}
